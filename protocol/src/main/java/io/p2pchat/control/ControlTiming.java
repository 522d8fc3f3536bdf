package io.p2pchat.control;

import java.util.concurrent.TimeUnit;

/** The control channel's timing constants, each with what it bounds and why (WireGuard's values, section 6.1). */
public final class ControlTiming {
  /**
   * A client starts a new handshake once its session is this old: 120 s, WireGuard's REKEY_AFTER_TIME.
   * A fresh ephemeral DH every two minutes bounds what a later key compromise reveals (forward secrecy
   * in time), on top of the per-counter epochs of {@code TransportCipher} (every 2^20 messages).
   */
  public static final long REHANDSHAKE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(120);
  /**
   * A session older than this seals and opens nothing: 180 s, WireGuard's REJECT_AFTER_TIME. The 60 s
   * between the two leave a client that missed {@link #REHANDSHAKE_AFTER_NANOS} a minute of retries
   * (handshake retransmissions back off to {@link #RETRANSMIT_MAX_NANOS}) before the old keys stop.
   */
  public static final long REJECT_AFTER_NANOS = TimeUnit.SECONDS.toNanos(180);
  /** First handshake retransmission: a loopback or LAN round trip is far below, an intercontinental one just below. */
  public static final long RETRANSMIT_INITIAL_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  /** Retransmissions double up to this: 2 s, as the peer handshake does (docs/PROTOCOL.md, HANDSHAKE). */
  public static final long RETRANSMIT_MAX_NANOS = TimeUnit.SECONDS.toNanos(2);
  /**
   * A cookie from a cookie reply is reused for later initiations while younger than this: 100 s. A
   * cookie verifies for 120 to 240 s ({@code AddressCookie.BUCKET_MILLIS}); 20 s of margin cover a
   * slow path, after which the client asks for a fresh one with a HELLO.
   */
  public static final long COOKIE_REUSE_NANOS = TimeUnit.SECONDS.toNanos(100);

  private ControlTiming() {
  }
}
