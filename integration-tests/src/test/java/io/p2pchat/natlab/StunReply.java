package io.p2pchat.natlab;

/**
 * Just enough of RFC 8489 to read the XOR-MAPPED-ADDRESS (IPv4) out of a Binding success response
 * given as hex bytes ({@code od -tx1} output). The lab's own check, independent of the project's
 * {@code io.p2pchat.wire.StunCodec} that it tests.
 */
final class StunReply {

  static final int HEADER_BYTES = 20;
  static final int BINDING_SUCCESS = 0x0101;
  static final int XOR_MAPPED_ADDRESS = 0x0020;
  static final int MAGIC_COOKIE = 0x2112A442;
  static final int FAMILY_IPV4 = 0x01;

  private StunReply() {}

  /** "a.b.c.d:port" from the hex dump of a response; throws AssertionError if there is none. */
  static String xorMappedAddress(String hexDump) {
    String[] tokens = hexDump.trim().split("\\s+");
    if (tokens.length < HEADER_BYTES || tokens[0].isEmpty()) {
      throw new AssertionError("no STUN response (got '" + hexDump + "')");
    }
    int[] b = new int[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      b[i] = Integer.parseInt(tokens[i], 16);
    }
    int type = u16(b, 0);
    if (type != BINDING_SUCCESS) {
      throw new AssertionError("not a Binding success response: type 0x" + Integer.toHexString(type));
    }
    int end = Math.min(b.length, HEADER_BYTES + u16(b, 2));
    for (int at = HEADER_BYTES; at + 4 <= end; ) {
      int attr = u16(b, at);
      int len = u16(b, at + 2);
      if (attr == XOR_MAPPED_ADDRESS && len >= 8 && at + 12 <= end && b[at + 5] == FAMILY_IPV4) {
        int port = u16(b, at + 6) ^ (MAGIC_COOKIE >>> 16);
        int ip = ((b[at + 8] << 24) | (b[at + 9] << 16) | (b[at + 10] << 8) | b[at + 11]) ^ MAGIC_COOKIE;
        return ((ip >>> 24) & 0xff) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff)
            + ":" + port;
      }
      at += 4 + ((len + 3) & ~3); // attributes are padded to 4 bytes
    }
    throw new AssertionError("no IPv4 XOR-MAPPED-ADDRESS in '" + hexDump + "'");
  }

  private static int u16(int[] b, int at) {
    return (b[at] << 8) | b[at + 1];
  }
}
