package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;
import io.vertx.core.buffer.Buffer;

/** How a packet reaches a peer: PunchVerticle's socket, directly or through the relay. */
interface PeerTransport {

  /**
   * Sends {@code packet} to the peer of {@code session} at {@code to}, or through the rendezvous's
   * relay when {@code to} is {@link Candidate#VIA_RELAY}. Fire and forget: this is the hot path.
   */
  void sendPacket(PeerSession session, Endpoint to, Buffer packet);
}
