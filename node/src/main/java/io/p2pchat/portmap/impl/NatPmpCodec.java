package io.p2pchat.portmap.impl;

import io.vertx.core.buffer.Buffer;

/**
 * NAT-PMP (RFC 6886) requests and responses, all big-endian. Requests: external address (opcode 0, 2 bytes)
 * and UDP mapping (opcode 1, 12 bytes; lifetime 0 and suggested port 0 deletes). A response is the request's
 * opcode + 128 with a result code and the gateway's epoch; anything else is rejected.
 */
public final class NatPmpCodec {

  /** The gateway's NAT-PMP and PCP port (RFC 6886 3.1, RFC 6887 19.1). */
  public static final int PORT = 5351;
  static final int VERSION = 0;
  static final int OP_EXTERNAL_ADDRESS = 0;
  static final int OP_MAP_UDP = 1;
  /** Responses set the top bit of the opcode (RFC 6886 3.2). */
  static final int RESPONSE_BIT = 128;
  static final int EXTERNAL_ADDRESS_RESPONSE_LENGTH = 12;
  static final int MAP_RESPONSE_LENGTH = 16;
  /** RFC 6886 3.5: 0 is success; 1 means the gateway speaks another version (a PCP-only server answers so). */
  public static final int RESULT_SUCCESS = 0;

  private NatPmpCodec() {
  }

  public static Buffer externalAddressRequest() {
    return Buffer.buffer(2).appendByte((byte) VERSION).appendByte((byte) OP_EXTERNAL_ADDRESS);
  }

  /** A UDP mapping request; {@code lifetimeSeconds} 0 with {@code suggestedPort} 0 deletes the mapping of {@code internalPort}. */
  public static Buffer mapRequest(int internalPort, int suggestedPort, long lifetimeSeconds) {
    return Buffer.buffer(12).appendByte((byte) VERSION).appendByte((byte) OP_MAP_UDP).appendUnsignedShort(0)
      .appendUnsignedShort(internalPort).appendUnsignedShort(suggestedPort).appendUnsignedInt(lifetimeSeconds);
  }

  /** An external-address response: the result code and, on success, the address. */
  public record ExternalAddress(int result, long epoch, String address) {
  }

  /** A mapping response. */
  public record MapResult(int result, long epoch, int internalPort, int externalPort, long lifetimeSeconds) {
  }

  /** True when {@code reply} looks like a NAT-PMP packet (version 0), not a PCP one (version 2). */
  public static boolean isNatPmp(Buffer reply) {
    return reply.length() >= 1 && reply.getUnsignedByte(0) == VERSION;
  }

  public static ExternalAddress decodeExternalAddress(Buffer reply) throws PortMapReplyException {
    int result = header(reply, OP_EXTERNAL_ADDRESS, EXTERNAL_ADDRESS_RESPONSE_LENGTH);
    String address = (reply.getUnsignedByte(8)) + "." + reply.getUnsignedByte(9) + "." + reply.getUnsignedByte(10)
      + "." + reply.getUnsignedByte(11);
    return new ExternalAddress(result, reply.getUnsignedInt(4), address);
  }

  public static MapResult decodeMap(Buffer reply) throws PortMapReplyException {
    int result = header(reply, OP_MAP_UDP, MAP_RESPONSE_LENGTH);
    return new MapResult(result, reply.getUnsignedInt(4), reply.getUnsignedShort(8), reply.getUnsignedShort(10),
      reply.getUnsignedInt(12));
  }

  /** The opcode of a response (without the response bit), or -1 when it is not a NAT-PMP response at all. */
  public static int responseOpcode(Buffer reply) {
    if (reply.length() < 4 || reply.getUnsignedByte(0) != VERSION || reply.getUnsignedByte(1) < RESPONSE_BIT) {
      return -1;
    }
    return reply.getUnsignedByte(1) - RESPONSE_BIT;
  }

  /**
   * Checks version, opcode and length and returns the result code. An error response may be shorter than
   * a success (RFC 6886 3.5: a server that does not know the opcode returns only the first 8 bytes).
   */
  private static int header(Buffer reply, int opcode, int length) throws PortMapReplyException {
    if (reply.length() < 4) {
      throw new PortMapReplyException("NAT-PMP reply of " + reply.length() + " bytes");
    }
    if (reply.getUnsignedByte(0) != VERSION) {
      throw new PortMapReplyException("NAT-PMP reply of version " + reply.getUnsignedByte(0));
    }
    if (reply.getUnsignedByte(1) != opcode + RESPONSE_BIT) {
      throw new PortMapReplyException("NAT-PMP reply with opcode " + reply.getUnsignedByte(1) + ", wanted "
        + (opcode + RESPONSE_BIT));
    }
    int result = reply.getUnsignedShort(2);
    if (result == RESULT_SUCCESS && reply.length() < length) {
      throw new PortMapReplyException("NAT-PMP reply of " + reply.length() + " bytes, wanted " + length);
    }
    if (result != RESULT_SUCCESS) {
      throw new PortMapReplyException("NAT-PMP result code " + result, result);
    }
    return result;
  }
}
