package io.p2pchat.portmap.impl;

import io.vertx.core.buffer.Buffer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * PCP (RFC 6887) ANNOUNCE and MAP for UDP over IPv4, big-endian. Every request carries our address as an
 * IPv4-mapped IPv6 address (the server compares it with the packet's source); a MAP carries a 12-byte nonce
 * that the response must echo and that a later renewal or delete must repeat.
 */
public final class PcpCodec {

  static final int VERSION = 2;
  static final int OP_ANNOUNCE = 0;
  static final int OP_MAP = 1;
  /** The R bit: set in responses (RFC 6887 7.2). */
  static final int RESPONSE_BIT = 0x80;
  static final int HEADER_LENGTH = 24;
  static final int MAP_PAYLOAD_LENGTH = 36;
  public static final int NONCE_LENGTH = 12;
  /** The largest PCP message (RFC 6887 7): anything longer is not a reply to us. */
  static final int MAX_MESSAGE = 1100;
  /** IANA protocol number of UDP. */
  static final int PROTOCOL_UDP = 17;
  public static final int RESULT_SUCCESS = 0;
  /** A server that speaks NAT-PMP only answers a version-2 request with this in a version-0 reply (RFC 6887 9). */
  public static final int RESULT_UNSUPP_VERSION = 1;

  private PcpCodec() {
  }

  /** ANNOUNCE (lifetime 0): asks whether the gateway speaks PCP at all. */
  public static Buffer announceRequest(Inet4Address client) {
    return header(OP_ANNOUNCE, 0, client);
  }

  /**
   * MAP of our UDP {@code internalPort}; {@code suggestedPort} 0 lets the server choose, {@code lifetimeSeconds} 0
   * deletes the mapping (with the nonce of the request that made it).
   */
  public static Buffer mapRequest(Inet4Address client, byte[] nonce, int internalPort, int suggestedPort,
      Inet4Address suggestedExternal, long lifetimeSeconds) {
    if (nonce.length != NONCE_LENGTH) {
      throw new IllegalArgumentException("PCP nonce of " + nonce.length + " bytes");
    }
    return header(OP_MAP, lifetimeSeconds, client).appendBytes(nonce).appendByte((byte) PROTOCOL_UDP)
      .appendBytes(new byte[3]).appendUnsignedShort(internalPort).appendUnsignedShort(suggestedPort)
      .appendBytes(suggestedExternal == null ? ANY_IPV4 : mapped(suggestedExternal));
  }

  /** No preference for the external address, IPv4 (RFC 6887 11.1: {@code ::ffff:0.0.0.0}). */
  private static final byte[] ANY_IPV4 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0};

  /** A MAP response. */
  public record MapResult(long lifetimeSeconds, long epoch, int internalPort, int externalPort, String externalHost) {
  }

  /** An ANNOUNCE response's epoch (success only). */
  public static long decodeAnnounce(Buffer reply) throws PortMapReplyException {
    header(reply, OP_ANNOUNCE, HEADER_LENGTH);
    return reply.getUnsignedInt(8);
  }

  /** A MAP response to the request with {@code nonce} for {@code internalPort}; anything else is rejected. */
  public static MapResult decodeMap(Buffer reply, byte[] nonce, int internalPort) throws PortMapReplyException {
    // The nonce first: an error reply carries the request's payload too, and one with another nonce is
    // not an answer to us (someone else's, or forged), so it must not fail our request.
    if (reply.length() >= HEADER_LENGTH + NONCE_LENGTH && reply.length() <= MAX_MESSAGE
        && !Arrays.equals(reply.getBytes(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH), nonce)) {
      throw new PortMapReplyException("PCP MAP reply with another nonce");
    }
    header(reply, OP_MAP, HEADER_LENGTH + MAP_PAYLOAD_LENGTH);
    int protocol = reply.getUnsignedByte(HEADER_LENGTH + 12);
    int port = reply.getUnsignedShort(HEADER_LENGTH + 16);
    if (protocol != PROTOCOL_UDP || port != internalPort) {
      throw new PortMapReplyException("PCP MAP reply for protocol " + protocol + " port " + port + ", not UDP "
        + internalPort);
    }
    byte[] ip = reply.getBytes(HEADER_LENGTH + 20, HEADER_LENGTH + 36);
    for (int i = 0; i < 10; i++) {
      if (ip[i] != 0) {
        throw new PortMapReplyException("PCP MAP reply with a non-IPv4 external address");
      }
    }
    if ((ip[10] & 0xff) != 0xff || (ip[11] & 0xff) != 0xff) {
      throw new PortMapReplyException("PCP MAP reply with a non-IPv4 external address");
    }
    String host = (ip[12] & 0xff) + "." + (ip[13] & 0xff) + "." + (ip[14] & 0xff) + "." + (ip[15] & 0xff);
    return new MapResult(reply.getUnsignedInt(4), reply.getUnsignedInt(8), port,
      reply.getUnsignedShort(HEADER_LENGTH + 18), host);
  }

  /** True when {@code reply} is long enough to carry a MAP nonce and carries {@code nonce}. */
  public static boolean hasNonce(Buffer reply, byte[] nonce) {
    return reply.length() >= HEADER_LENGTH + NONCE_LENGTH && reply.length() <= MAX_MESSAGE
      && Arrays.equals(reply.getBytes(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH), nonce);
  }

  /** The opcode of a PCP response, or -1 when {@code reply} is none. */
  public static int responseOpcode(Buffer reply) {
    if (reply.length() < HEADER_LENGTH || reply.length() > MAX_MESSAGE || reply.getUnsignedByte(0) != VERSION
        || (reply.getUnsignedByte(1) & RESPONSE_BIT) == 0) {
      return -1;
    }
    return reply.getUnsignedByte(1) & ~RESPONSE_BIT;
  }

  private static Buffer header(int opcode, long lifetimeSeconds, Inet4Address client) {
    return Buffer.buffer(HEADER_LENGTH + MAP_PAYLOAD_LENGTH).appendByte((byte) VERSION).appendByte((byte) opcode)
      .appendUnsignedShort(0).appendUnsignedInt(lifetimeSeconds).appendBytes(mapped(client));
  }

  private static void header(Buffer reply, int opcode, int length) throws PortMapReplyException {
    if (reply.length() < HEADER_LENGTH || reply.length() > MAX_MESSAGE) {
      throw new PortMapReplyException("PCP reply of " + reply.length() + " bytes");
    }
    if (reply.getUnsignedByte(0) != VERSION) {
      throw new PortMapReplyException("PCP reply of version " + reply.getUnsignedByte(0));
    }
    if (reply.getUnsignedByte(1) != (opcode | RESPONSE_BIT)) {
      throw new PortMapReplyException("PCP reply with opcode " + reply.getUnsignedByte(1) + ", wanted "
        + (opcode | RESPONSE_BIT));
    }
    int result = reply.getUnsignedByte(3);
    if (result != RESULT_SUCCESS) {
      throw new PortMapReplyException("PCP result code " + result, result);
    }
    if (reply.length() < length) {
      throw new PortMapReplyException("PCP reply of " + reply.length() + " bytes, wanted " + length);
    }
  }

  /** {@code address} as an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}); all zeros for null. */
  private static byte[] mapped(Inet4Address address) {
    byte[] out = new byte[16];
    if (address != null) {
      out[10] = (byte) 0xff;
      out[11] = (byte) 0xff;
      System.arraycopy(address.getAddress(), 0, out, 12, 4);
    }
    return out;
  }

  /** Parses a dotted IPv4 address without a name lookup. */
  public static Inet4Address ipv4(String dotted) {
    String[] parts = dotted.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + dotted);
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      int v = Integer.parseInt(parts[i]);
      if (v < 0 || v > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + dotted);
      }
      b[i] = (byte) v;
    }
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
