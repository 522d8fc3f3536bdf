package io.p2pchat.wire.dns;

import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.WireException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * mDNS messages to and from bytes (RFC 1035 section 4, RFC 6762): pure, no sockets, no state.
 *
 * <pre>
 *  0               2               4               6               8              10              12
 * +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
 * |      ID       |     FLAGS     |    QDCOUNT    |    ANCOUNT    |    NSCOUNT    |    ARCOUNT    |
 * +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
 * question: NAME TYPE(2) CLASS(2; top bit = QU)
 * record:   NAME TYPE(2) CLASS(2; top bit = cache flush) TTL(4) RDLENGTH(2) RDATA
 * NAME:     labels (length byte 1..63, then the bytes) ending in 0, or ending in a pointer
 *           (two bytes 11xxxxxx xxxxxxxx: the rest of the name is at that offset)
 * </pre>
 *
 * Everything a multicast group can send us is hostile: every length is checked against the bytes
 * present before it is read, a message larger than {@link #MAX_MESSAGE} or with more than
 * {@link #MAX_ENTRIES} entries is refused before any entry is parsed, a compression pointer must point
 * strictly before the name that uses it (so it can never loop) and a name is at most
 * {@link #MAX_NAME} bytes however it was assembled. Failures are {@link WireException}s with a
 * {@link DropReason}; nothing else is thrown for any input. Encoding writes names uncompressed
 * (our messages are a few hundred bytes; compression would save little and is the part readers get wrong).
 */
public final class DnsCodec {

  /** Largest mDNS message over multicast (RFC 6762 section 17: 9000 bytes less the IP and UDP headers, rounded up). */
  public static final int MAX_MESSAGE = 9000;
  /** The fixed header: id, flags and the four counts. */
  public static final int HEADER = 12;
  /** Longest name on the wire, its length bytes included (RFC 1035 section 2.3.4). */
  public static final int MAX_NAME = 255;
  /** Longest label (RFC 1035 section 2.3.4: the top two bits of a length byte mark a pointer). */
  public static final int MAX_LABEL = 63;
  /**
   * Entries (questions and records of all sections) one message may hold: a DNS-SD answer for a few
   * services is a dozen; a LAN with 20 chat nodes answering one query sends 20 messages, not one. More
   * than this is a flood, refused before anything is parsed.
   */
  public static final int MAX_ENTRIES = 64;
  /** TXT strings one record may hold: ours has four; DNS-SD advises keeping TXT records small (RFC 6763 section 6.2). */
  public static final int MAX_TXT_STRINGS = 32;
  /** Longest TXT string: its length is one byte. */
  public static final int MAX_TXT_STRING = 255;

  public static final int TYPE_A = 1;
  public static final int TYPE_PTR = 12;
  public static final int TYPE_TXT = 16;
  public static final int TYPE_AAAA = 28;
  public static final int TYPE_SRV = 33;
  public static final int TYPE_ANY = 255;
  public static final int CLASS_IN = 1;

  /** The top bit of a question's class (QU) or of a record's class (cache flush), RFC 6762 sections 5.4 and 10.2. */
  private static final int CLASS_TOP_BIT = 0x8000;
  private static final int CLASS_MASK = 0x7fff;
  /** QR (a response) and AA (authoritative): what RFC 6762 section 18 sets in every mDNS response. */
  private static final int FLAGS_RESPONSE = 0x8400;
  private static final int FLAG_QR = 0x8000;
  /** OPCODE bits: RFC 6762 section 18.3, a message with an opcode other than 0 is ignored. */
  private static final int OPCODE_MASK = 0x7800;
  /** A length byte whose two top bits are set introduces a pointer (RFC 1035 section 4.1.4). */
  private static final int POINTER = 0xc0;
  private static final int IPV4_BYTES = 4;
  /** SRV RDATA before its target name: priority, weight, port. */
  private static final int SRV_FIXED = 6;
  /** Type, class, TTL and RDLENGTH after a record's name. */
  private static final int RECORD_FIXED = 10;
  /** Type and class after a question's name. */
  private static final int QUESTION_FIXED = 4;

  private DnsCodec() {
  }

  // ---------------------------------------------------------------- decoding

  /** Parses {@code bytes}; trailing bytes after the last counted entry are ignored (RFC 1035 is silent, peers pad). */
  public static DnsMessage decode(byte[] bytes) throws WireException {
    if (bytes.length > MAX_MESSAGE) {
      throw new WireException(DropReason.OVERSIZED, bytes.length + " bytes, mDNS allows " + MAX_MESSAGE);
    }
    Reader in = new Reader(bytes);
    in.need(HEADER, "header");
    int id = in.u16();
    int flags = in.u16();
    if ((flags & OPCODE_MASK) != 0) {
      throw new WireException(DropReason.UNKNOWN_TYPE, "opcode " + ((flags & OPCODE_MASK) >> 11));
    }
    int qd = in.u16();
    int an = in.u16();
    int ns = in.u16();
    int ar = in.u16();
    if (qd + an + ns + ar > MAX_ENTRIES) {
      throw new WireException(DropReason.OVERSIZED, (qd + an + ns + ar) + " entries, at most " + MAX_ENTRIES);
    }
    List<DnsMessage.Question> questions = new ArrayList<>(qd);
    for (int i = 0; i < qd; i++) {
      String name = in.name();
      in.need(QUESTION_FIXED, "question");
      int type = in.u16();
      int klass = in.u16();
      questions.add(new DnsMessage.Question(name, type, (klass & CLASS_TOP_BIT) != 0));
    }
    List<DnsRecord> answers = records(in, an);
    List<DnsRecord> additionals = records(in, ns + ar);
    return new DnsMessage(id, (flags & FLAG_QR) != 0, questions, answers, additionals);
  }

  private static List<DnsRecord> records(Reader in, int count) throws WireException {
    List<DnsRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String name = in.name();
      in.need(RECORD_FIXED, "record");
      int type = in.u16();
      int klass = in.u16();
      long ttl = in.u32();
      int length = in.u16();
      in.need(length, "rdata");
      int end = in.pos + length;
      DnsRecord.Data data;
      switch (type) {
        case TYPE_PTR:
          data = new DnsRecord.Ptr(in.name());
          break;
        case TYPE_SRV:
          data = srv(in, length);
          break;
        case TYPE_TXT:
          data = txt(in, end);
          break;
        case TYPE_A:
          data = a(in, length);
          break;
        default:
          data = new DnsRecord.Other(length);
      }
      if (in.pos > end) {
        throw new WireException(DropReason.MALFORMED, "record data runs past its length " + length);
      }
      in.pos = end;
      records.add(new DnsRecord(name, type, (klass & CLASS_TOP_BIT) != 0, ttl, data));
    }
    return records;
  }

  private static DnsRecord.Srv srv(Reader in, int length) throws WireException {
    if (length < SRV_FIXED + 1) {
      throw new WireException(DropReason.TRUNCATED, "SRV of " + length + " bytes");
    }
    return new DnsRecord.Srv(in.u16(), in.u16(), in.u16(), in.name());
  }

  private static DnsRecord.Txt txt(Reader in, int end) throws WireException {
    List<String> strings = new ArrayList<>();
    while (in.pos < end) {
      int len = in.u8();
      if (in.pos + len > end) {
        throw new WireException(DropReason.TRUNCATED, "TXT string of " + len + " bytes past its record");
      }
      if (strings.size() == MAX_TXT_STRINGS) {
        throw new WireException(DropReason.OVERSIZED, "more than " + MAX_TXT_STRINGS + " TXT strings");
      }
      if (len > 0) { // RFC 6763 section 6.1: an empty TXT record is one empty string
        strings.add(new String(in.bytes, in.pos, len, StandardCharsets.UTF_8));
      }
      in.pos += len;
    }
    return new DnsRecord.Txt(strings);
  }

  private static DnsRecord.A a(Reader in, int length) throws WireException {
    if (length != IPV4_BYTES) {
      throw new WireException(DropReason.MALFORMED, "A record of " + length + " bytes");
    }
    return new DnsRecord.A(in.u8() + "." + in.u8() + "." + in.u8() + "." + in.u8());
  }

  /** A cursor over the message: every read goes through {@link #need}. */
  private static final class Reader {
    private final byte[] bytes;
    private int pos;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    void need(int n, String what) throws WireException {
      if (n < 0 || pos + n > bytes.length) {
        throw new WireException(DropReason.TRUNCATED, what + " needs " + n + " bytes at " + pos + " of " + bytes.length);
      }
    }

    int u8() throws WireException {
      need(1, "byte");
      return bytes[pos++] & 0xff;
    }

    int u16() throws WireException {
      need(2, "u16");
      int v = ((bytes[pos] & 0xff) << 8) | (bytes[pos + 1] & 0xff);
      pos += 2;
      return v;
    }

    long u32() throws WireException {
      return ((long) u16() << 16) | u16();
    }

    /**
     * A name at the cursor, which moves past its in-place part. Pointers are followed only
     * backwards, each to before the previous one's target, so the walk ends within the message's
     * length whatever it holds; the assembled name is capped at {@link #MAX_NAME} on top.
     */
    String name() throws WireException {
      StringBuilder name = new StringBuilder();
      int wireLength = 1; // the final zero byte
      int at = pos;
      int limit = pos; // a pointer must point strictly before this
      boolean jumped = false;
      while (true) {
        if (at >= bytes.length) {
          throw new WireException(DropReason.TRUNCATED, "name runs past the message");
        }
        int len = bytes[at] & 0xff;
        if ((len & POINTER) == POINTER) {
          if (at + 1 >= bytes.length) {
            throw new WireException(DropReason.TRUNCATED, "pointer cut short");
          }
          int target = ((len & ~POINTER) << 8) | (bytes[at + 1] & 0xff);
          if (target >= limit) {
            throw new WireException(DropReason.MALFORMED, "compression pointer to " + target + " not before " + limit);
          }
          if (!jumped) {
            pos = at + 2;
            jumped = true;
          }
          limit = target;
          at = target;
          continue;
        }
        if ((len & POINTER) != 0) {
          throw new WireException(DropReason.MALFORMED, "label type " + (len >> 6));
        }
        if (len == 0) {
          if (!jumped) {
            pos = at + 1;
          }
          return name.toString();
        }
        wireLength += len + 1;
        if (wireLength > MAX_NAME) {
          throw new WireException(DropReason.MALFORMED, "name longer than " + MAX_NAME + " bytes");
        }
        if (at + 1 + len > bytes.length) {
          throw new WireException(DropReason.TRUNCATED, "label of " + len + " bytes past the message");
        }
        if (name.length() > 0) {
          name.append('.');
        }
        name.append(new String(bytes, at + 1, len, StandardCharsets.UTF_8));
        at += 1 + len;
      }
    }
  }

  // ---------------------------------------------------------------- encoding

  /** The bytes of {@code message}: names uncompressed, records in the answer and additional sections. */
  public static byte[] encode(DnsMessage message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    u16(out, message.id());
    u16(out, message.response() ? FLAGS_RESPONSE : 0);
    u16(out, message.questions().size());
    u16(out, message.answers().size());
    u16(out, 0);
    u16(out, message.additionals().size());
    for (DnsMessage.Question q : message.questions()) {
      name(out, q.name());
      u16(out, q.type());
      u16(out, CLASS_IN | (q.unicastResponse() ? CLASS_TOP_BIT : 0));
    }
    for (DnsRecord r : message.records()) {
      record(out, r);
    }
    if (out.size() > MAX_MESSAGE) {
      throw new IllegalArgumentException(out.size() + " bytes: more than an mDNS message may hold");
    }
    return out.toByteArray();
  }

  private static void record(ByteArrayOutputStream out, DnsRecord r) {
    name(out, r.name());
    u16(out, r.type());
    u16(out, CLASS_IN | (r.cacheFlush() ? CLASS_TOP_BIT : 0));
    u16(out, (int) (r.ttlSeconds() >>> 16));
    u16(out, (int) (r.ttlSeconds() & 0xffff));
    ByteArrayOutputStream data = new ByteArrayOutputStream(64);
    DnsRecord.Data d = r.data();
    if (d instanceof DnsRecord.Ptr ptr) {
      name(data, ptr.target());
    } else if (d instanceof DnsRecord.Srv srv) {
      u16(data, srv.priority());
      u16(data, srv.weight());
      u16(data, srv.port());
      name(data, srv.target());
    } else if (d instanceof DnsRecord.Txt txt) {
      if (txt.strings().isEmpty()) {
        data.write(0);
      }
      for (String s : txt.strings()) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_TXT_STRING) {
          throw new IllegalArgumentException("TXT string longer than " + MAX_TXT_STRING + " bytes");
        }
        data.write(b.length);
        data.writeBytes(b);
      }
    } else if (d instanceof DnsRecord.A a) {
      for (String part : a.address().split("\\.")) {
        data.write(Integer.parseInt(part));
      }
    } else {
      throw new IllegalArgumentException("cannot encode a record of type " + r.type());
    }
    u16(out, data.size());
    out.writeBytes(data.toByteArray());
  }

  private static void name(ByteArrayOutputStream out, String name) {
    int total = 1;
    for (String label : name.split("\\.")) {
      byte[] b = label.getBytes(StandardCharsets.UTF_8);
      if (b.length == 0 || b.length > MAX_LABEL) {
        throw new IllegalArgumentException("label of " + b.length + " bytes in " + name);
      }
      total += b.length + 1;
      out.write(b.length);
      out.writeBytes(b);
    }
    if (total > MAX_NAME) {
      throw new IllegalArgumentException("name longer than " + MAX_NAME + " bytes: " + name);
    }
    out.write(0);
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }
}
