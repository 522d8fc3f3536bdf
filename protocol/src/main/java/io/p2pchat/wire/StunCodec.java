package io.p2pchat.wire;

import io.vertx.core.buffer.Buffer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The STUN Binding exchange of RFC 8489, just enough to tell a client its reflexive address:
 * Binding request in, Binding success response with one XOR-MAPPED-ADDRESS out.
 *
 * <p>XOR-MAPPED-ADDRESS (RFC 8489 14.2, as RFC 5389 15.2): reserved 0, family (0x01 IPv4, 0x02 IPv6),
 * port XOR the magic cookie's high 16 bits, address XOR the cookie (IPv4) or the cookie followed by the
 * 12-byte transaction id (IPv6). Any other family is refused.
 */
public final class StunCodec {

  public static final int HEADER_SIZE = 20;
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int TRANSACTION_ID_SIZE = 12;
  private static final int BINDING_REQUEST = 0x0001;
  private static final int BINDING_SUCCESS = 0x0101;
  private static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
  private static final int FAMILY_IPV4 = 0x01;
  private static final int FAMILY_IPV6 = 0x02;
  /** Address lengths of the two families (RFC 8489 14.1): 32 and 128 bits. */
  private static final int IPV4_BYTES = 4;
  private static final int IPV6_BYTES = 16;

  private StunCodec() {
  }

  /** A Binding request; {@code transactionId} must be 12 random bytes. */
  public static Buffer bindingRequest(byte[] transactionId) {
    return Buffer.buffer(HEADER_SIZE)
      .appendUnsignedShort(BINDING_REQUEST)
      .appendUnsignedShort(0)
      .appendInt(MAGIC_COOKIE)
      .appendBytes(transactionId);
  }

  /** The transaction id of a valid Binding request; any other STUN message is refused. */
  public static byte[] parseBindingRequest(Buffer datagram) throws WireException {
    checkHeader(datagram);
    if (datagram.getUnsignedShort(0) != BINDING_REQUEST) {
      throw new WireException(DropReason.UNKNOWN_TYPE, "STUN method " + datagram.getUnsignedShort(0));
    }
    return datagram.getBytes(8, HEADER_SIZE);
  }

  /** A Binding success response telling the requester the address it was seen from. */
  public static Buffer bindingResponse(byte[] transactionId, InetSocketAddress mapped) {
    byte[] addr = mapped.getAddress().getAddress();
    Buffer value = Buffer.buffer()
      .appendByte((byte) 0)
      .appendByte((byte) (addr.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6))
      .appendUnsignedShort(mapped.getPort() ^ (MAGIC_COOKIE >>> 16))
      .appendBytes(xorAddress(addr, transactionId));
    return Buffer.buffer(HEADER_SIZE + 4 + value.length())
      .appendUnsignedShort(BINDING_SUCCESS)
      .appendUnsignedShort(4 + value.length())
      .appendInt(MAGIC_COOKIE)
      .appendBytes(transactionId)
      .appendUnsignedShort(ATTR_XOR_MAPPED_ADDRESS)
      .appendUnsignedShort(value.length())
      .appendBuffer(value);
  }

  /** The transaction id of a Binding success response (to match it with its request). */
  public static byte[] transactionId(Buffer datagram) throws WireException {
    checkHeader(datagram);
    return datagram.getBytes(8, HEADER_SIZE);
  }

  /** The XOR-MAPPED-ADDRESS of a Binding success response. */
  public static InetSocketAddress parseBindingResponse(Buffer datagram) throws WireException {
    checkHeader(datagram);
    if (datagram.getUnsignedShort(0) != BINDING_SUCCESS) {
      throw new WireException(DropReason.UNKNOWN_TYPE, "STUN method " + datagram.getUnsignedShort(0));
    }
    byte[] txId = datagram.getBytes(8, HEADER_SIZE);
    int pos = HEADER_SIZE;
    while (pos + 4 <= datagram.length()) {
      int type = datagram.getUnsignedShort(pos);
      int len = datagram.getUnsignedShort(pos + 2);
      if (pos + 4 + len > datagram.length()) {
        throw new WireException(DropReason.TRUNCATED, "STUN attribute length " + len);
      }
      if (type == ATTR_XOR_MAPPED_ADDRESS && len >= 8) {
        int family = datagram.getUnsignedByte(pos + 5);
        int port = datagram.getUnsignedShort(pos + 6) ^ (MAGIC_COOKIE >>> 16);
        if (family != FAMILY_IPV4 && family != FAMILY_IPV6) {
          throw new WireException(DropReason.MALFORMED, "XOR-MAPPED-ADDRESS family " + family);
        }
        int addrLen = family == FAMILY_IPV4 ? IPV4_BYTES : IPV6_BYTES;
        if (len < 4 + addrLen) {
          throw new WireException(DropReason.TRUNCATED, "XOR-MAPPED-ADDRESS of " + len + " bytes");
        }
        byte[] addr = xorAddress(datagram.getBytes(pos + 8, pos + 8 + addrLen), txId);
        try {
          return new InetSocketAddress(InetAddress.getByAddress(addr), port);
        } catch (UnknownHostException e) {
          throw new WireException(DropReason.MALFORMED, "address of " + addrLen + " bytes");
        }
      }
      pos += 4 + ((len + 3) & ~3);
    }
    throw new WireException(DropReason.MALFORMED, "no XOR-MAPPED-ADDRESS");
  }

  private static void checkHeader(Buffer datagram) throws WireException {
    if (datagram.length() < HEADER_SIZE || datagram.getInt(4) != MAGIC_COOKIE) {
      throw new WireException(DropReason.TRUNCATED, "STUN header of " + datagram.length() + " bytes");
    }
    int bodyLen = datagram.getUnsignedShort(2);
    if ((bodyLen & 3) != 0 || HEADER_SIZE + bodyLen != datagram.length()) {
      throw new WireException(DropReason.MALFORMED, "STUN length " + bodyLen);
    }
  }

  /** XOR of an address with the cookie (IPv4) or the cookie and transaction id (IPv6). */
  private static byte[] xorAddress(byte[] addr, byte[] transactionId) {
    byte[] mask = Buffer.buffer(16).appendInt(MAGIC_COOKIE).appendBytes(transactionId).getBytes();
    byte[] out = new byte[addr.length];
    for (int i = 0; i < addr.length; i++) {
      out[i] = (byte) (addr[i] ^ mask[i]);
    }
    return out;
  }
}
