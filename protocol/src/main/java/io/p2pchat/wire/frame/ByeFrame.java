package io.p2pchat.wire.frame;

/** BYE: the peer is leaving. */
public record ByeFrame() implements Frame {
  /** The only value worth having: the frame has no fields. */
  public static final ByeFrame INSTANCE = new ByeFrame();
}
