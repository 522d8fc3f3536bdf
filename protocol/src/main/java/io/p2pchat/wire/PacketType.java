package io.p2pchat.wire;

/** Byte 1 of a p2pchat packet: what the body holds. See docs/PROTOCOL.md. */
public enum PacketType {
  /** Client and rendezvous control messages (JSON). */
  CONTROL(0x01),
  /** Peer-to-peer {@code punch}/{@code punched} probes. */
  PROBE(0x02),
  /** Noise handshake messages between peers. */
  HANDSHAKE(0x03),
  /** Peer data: coalesced frames, encrypted as a whole. */
  DATA(0x04),
  /** A peer packet wrapped for the rendezvous to forward. */
  RELAY(0x05),
  /**
   * A LAN hello ({@code io.p2pchat.crypto.LanHello}): a peer found by mDNS tells us its nick and
   * process instance, sealed to our static key, so that both can make the introduction the rendezvous
   * would have made.
   */
  LAN_HELLO(0x06);

  private static final PacketType[] BY_CODE = new PacketType[256];

  static {
    for (PacketType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;

  PacketType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type with this code, or {@code null}. */
  public static PacketType of(int code) {
    return BY_CODE[code & 0xFF];
  }
}
