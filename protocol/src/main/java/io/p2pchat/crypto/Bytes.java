package io.p2pchat.crypto;

/** Byte-array helpers shared by the constructions of this package. */
final class Bytes {
  private Bytes() {}

  /** The concatenation of {@code parts}. */
  static byte[] concat(byte[]... parts) {
    int len = 0;
    for (byte[] p : parts) {
      len += p.length;
    }
    byte[] out = new byte[len];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }
}
