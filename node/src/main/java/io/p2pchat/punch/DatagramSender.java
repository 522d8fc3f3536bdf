package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** The one way out of PunchVerticle's socket, for the classes that share it: every datagram is counted there. */
interface DatagramSender {

  /** Sends {@code datagram} to {@code to}; the future completes once it left the socket. */
  Future<Void> send(Buffer datagram, Endpoint to);
}
