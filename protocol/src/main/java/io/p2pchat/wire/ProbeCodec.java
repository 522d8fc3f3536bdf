package io.p2pchat.wire;

import io.p2pchat.crypto.ProbeMac;
import io.vertx.core.buffer.Buffer;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * PROBE packets: {@code kind u8 | introId u64 | txId u64 | senderIndex u32 |
 * [observed: family u8, address, port u16] | MAC 16 bytes}, the MAC taken over everything before it,
 * header included, under the introduction's secret.
 */
public final class ProbeCodec {

  private static final int KIND_PUNCH = 1;
  private static final int KIND_PUNCHED = 2;
  private static final int FIXED_BODY = 1 + 8 + 8 + 4;

  private ProbeCodec() {
  }

  public static Buffer encode(Probe probe, long counter, byte[] secret) {
    Buffer packet = PacketCodec.header(PacketType.PROBE, 0, counter)
      .appendByte((byte) (probe.kind() == Probe.Kind.PUNCH ? KIND_PUNCH : KIND_PUNCHED))
      .appendLong(probe.introId())
      .appendLong(probe.txId())
      .appendInt(probe.senderIndex());
    if (probe.kind() == Probe.Kind.PUNCHED) {
      byte[] addr = addressBytes(probe.observed());
      packet.appendByte((byte) (addr.length == 4 ? 4 : 6)).appendBytes(addr).appendUnsignedShort(probe.observed().port());
    }
    byte[] signed = packet.getBytes();
    return packet.appendBytes(ProbeMac.compute(secret, signed, 0, signed.length));
  }

  /** The introduction a probe claims to belong to, to find the secret to verify it with. */
  public static long introId(Buffer datagram) throws WireException {
    if (datagram.length() < PacketCodec.HEADER_SIZE + FIXED_BODY + ProbeMac.LENGTH) {
      throw new WireException(DropReason.TRUNCATED, "probe of " + datagram.length() + " bytes");
    }
    return datagram.getLong(PacketCodec.HEADER_SIZE + 1);
  }

  /** Verifies the MAC under {@code secret}, then parses; a probe that does not verify teaches nothing. */
  public static Probe decode(Buffer datagram, byte[] secret) throws WireException {
    int macAt = datagram.length() - ProbeMac.LENGTH;
    if (macAt < PacketCodec.HEADER_SIZE + FIXED_BODY) {
      throw new WireException(DropReason.TRUNCATED, "probe of " + datagram.length() + " bytes");
    }
    byte[] bytes = datagram.getBytes();
    if (!ProbeMac.verify(secret, bytes, 0, macAt, bytes, macAt)) {
      throw new WireException(DropReason.UNAUTHENTICATED, "probe MAC does not verify");
    }
    int pos = PacketCodec.HEADER_SIZE;
    int kind = datagram.getUnsignedByte(pos);
    long introId = datagram.getLong(pos + 1);
    long txId = datagram.getLong(pos + 9);
    int senderIndex = datagram.getInt(pos + 17);
    pos += FIXED_BODY;
    if (kind == KIND_PUNCH) {
      return new Probe(Probe.Kind.PUNCH, introId, txId, senderIndex, null);
    }
    if (kind != KIND_PUNCHED || pos >= macAt) {
      throw new WireException(DropReason.MALFORMED, "probe kind " + kind);
    }
    int family = datagram.getUnsignedByte(pos);
    int addrLen = family == 4 ? 4 : family == 6 ? 16 : -1;
    if (addrLen < 0 || pos + 1 + addrLen + 2 > macAt) {
      throw new WireException(DropReason.MALFORMED, "probe address family " + family);
    }
    try {
      InetAddress addr = InetAddress.getByAddress(datagram.getBytes(pos + 1, pos + 1 + addrLen));
      int port = datagram.getUnsignedShort(pos + 1 + addrLen);
      return new Probe(Probe.Kind.PUNCHED, introId, txId, senderIndex, new Endpoint(addr.getHostAddress(), port));
    } catch (UnknownHostException e) {
      throw new WireException(DropReason.MALFORMED, "probe address");
    }
  }

  private static byte[] addressBytes(Endpoint endpoint) {
    try {
      return InetAddress.getByName(endpoint.host()).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("BUG: endpoint host is not numeric: " + endpoint.host(), e);
    }
  }
}
