package io.p2pchat.rendezvous;

import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * How control messages cross the wire, in both directions: the one spot where a control datagram
 * is opened before the demux dispatches it to its {@link ControlHandler}, and where every control
 * message the rendezvous sends is sealed. {@link PlainControlChannel} is today's cleartext codec;
 * an authenticated channel (a session per client, keyed by a handshake with the rendezvous's key)
 * takes its place here, and the handlers behind it do not change.
 */
interface ControlChannel {

  /**
   * The control message in {@code datagram} (a CONTROL packet whose header the demux has decoded),
   * from {@code from}.
   *
   * @throws WireException when it is malformed or does not authenticate: dropped and counted
   */
  JsonObject open(Endpoint from, Buffer datagram) throws WireException;

  /** The datagram that carries {@code message} to {@code to}. */
  Buffer seal(Endpoint to, JsonObject message);
}
