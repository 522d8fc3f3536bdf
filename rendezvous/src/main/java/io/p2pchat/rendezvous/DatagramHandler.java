package io.p2pchat.rendezvous;

import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;

/**
 * What the demux hands a datagram of a kind that is not a control message to: a relay frame, a STUN
 * request, a plain-text command. It leaves {@code ex} answered or handled, or throws to have it
 * dropped and counted.
 */
@FunctionalInterface
interface DatagramHandler {

  /**
   * Acts on {@code data}, a whole datagram from {@code ex.from}.
   *
   * @throws WireException to drop the datagram with the exception's reason (counted, never answered)
   */
  void handle(Exchange ex, Buffer data) throws WireException;
}
