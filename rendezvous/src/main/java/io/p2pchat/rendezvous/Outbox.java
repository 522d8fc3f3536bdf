package io.p2pchat.rendezvous;

import io.p2pchat.common.DualStackSocket;
import io.p2pchat.common.NodeLog;
import io.p2pchat.rendezvous.tls.StreamEndpoints;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StreamEndpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Everything the rendezvous sends leaves through here: control messages sealed by the
 * {@link ControlChannel} (a client without a session gets none), answers to unvalidated sources only within their {@link Limits answer
 * budget}, and relay frames byte for byte. Each send marks what became of the datagram it answers.
 * The one place that picks the transport: a {@link StreamEndpoint synthetic endpoint} (100::/64) is a
 * WebSocket connection and gets its datagrams through {@link StreamEndpoints}, never the UDP socket.
 */
final class Outbox {

  /** Both sockets: each datagram leaves from the one of its destination's family. */
  private final DualStackSocket socket;
  private final ControlChannel channel;
  private final Limits limits;
  private final NodeLog log;
  private final ControlLoss loss;
  private final StreamEndpoints streams;

  Outbox(DualStackSocket socket, ControlChannel channel, Limits limits, NodeLog log) {
    this(socket, StreamEndpoints.none(), channel, limits, log, new ControlLoss(0, 0, 0, 0));
  }

  /** {@code loss}: the test-only impairment of reliable control messages. */
  Outbox(DualStackSocket socket, StreamEndpoints streams, ControlChannel channel, Limits limits, NodeLog log,
         ControlLoss loss) {
    this.socket = socket;
    this.streams = streams;
    this.channel = channel;
    this.limits = limits;
    this.log = log;
    this.loss = loss;
  }

  /**
   * Answers the sender of {@code ex} with a control message, if it fits the sender's answer budget.
   *
   * @throws WireException {@link io.p2pchat.wire.DropReason#AMPLIFICATION} when it does not: nothing is sent
   */
  void answer(Exchange ex, JsonObject msg) throws WireException {
    Buffer sealed = channel.seal(ex.from, msg);
    if (sealed == null) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "no control session to answer " + ex.from + " in");
    }
    answer(ex, sealed, msg.getString(Control.TYPE));
  }

  /**
   * Answers the sender of {@code ex} with a control message sealed in the session of the client holding
   * {@code key} (the sender is not its registered address), if it fits the sender's answer budget.
   *
   * @throws WireException {@link io.p2pchat.wire.DropReason#AMPLIFICATION} when it does not: nothing is sent
   */
  void answerIn(Exchange ex, byte[] key, JsonObject msg) throws WireException {
    Buffer sealed = channel.sealFor(key, msg);
    if (sealed == null) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "no control session to answer " + ex.from + " in");
    }
    answer(ex, sealed, msg.getString(Control.TYPE));
  }

  /**
   * Answers the sender of {@code ex} with {@code data} (STUN, plain text), if it fits the sender's
   * answer budget; {@code what} names it in logs.
   *
   * @throws WireException {@link io.p2pchat.wire.DropReason#AMPLIFICATION} when it does not: nothing is sent
   */
  void answer(Exchange ex, Buffer data, String what) throws WireException {
    limits.takeAnswer(ex, data.length(), what);
    send(data, ex.from, what);
  }

  /**
   * Sends a control message to an address a cookie round trip has proven (a registered client, or
   * one whose signed registration is being answered), on behalf of {@code ex}: answered when
   * {@code to} is its sender, else handled. {@code ex} is null for timers and the cluster.
   */
  void tell(Exchange ex, Endpoint to, JsonObject msg) {
    tell(ex, to, msg, msg.containsKey(Control.MID));
  }

  /**
   * {@link #tell} of a message the mailbox resends until it is acknowledged ({@code deposited}, {@code refused},
   * {@code mail}, {@code expired}): the test-only impairment applies to it as to a message with an id.
   */
  void tellMailbox(Exchange ex, Endpoint to, JsonObject msg) {
    tell(ex, to, msg, true);
  }

  private void tell(Exchange ex, Endpoint to, JsonObject msg, boolean impaired) {
    if (ex != null && to.equals(ex.from)) {
      ex.mayAnswer(0, true);
    } else if (ex != null) {
      ex.handled();
    }
    ControlLoss.Verdict verdict = impaired ? loss.next(msg.getString(Control.TYPE)) : ControlLoss.Verdict.SEND;
    Buffer sealed = channel.seal(to, msg);
    if (sealed == null) {
      // The client's session expired or it moved on: it re-handshakes and registers again, and
      // learns what it missed then (a keep-alive's not-registered, a fresh introduction).
      log.debug("no control session for {}: {} not sent", to, msg.getString(Control.TYPE));
      return;
    }
    if (verdict == ControlLoss.Verdict.DROP) {
      log.debug("impairment: {} {} to {} dropped", msg.getString(Control.TYPE), msg.getValue(Control.MID), to);
      return;
    }
    send(sealed, to, msg.getString(Control.TYPE));
    if (verdict == ControlLoss.Verdict.DUPLICATE) {
      // Sealed again: a datagram of its own (a new counter), as a retransmission whose ack crossed it would be.
      send(channel.seal(to, msg), to, msg.getString(Control.TYPE));
    }
  }

  /** What the test-only impairment did to reliable control messages: {@code impaired} (dropped) and {@code duplicated}. */
  JsonObject impairment() {
    return new JsonObject().put("impaired", loss.dropped()).put("duplicated", loss.duplicated());
  }

  /** Sends a relay frame as it is: opaque, never sealed nor logged. */
  void forward(Endpoint to, Buffer frame) {
    transmit(frame, to);
  }

  private void send(Buffer data, Endpoint to, String what) {
    if (log.isDebugEnabled()) {
      log.debug("out {} {} ({} bytes)", to, what, data.length());
    }
    transmit(data, to);
  }

  private void transmit(Buffer data, Endpoint to) {
    if (StreamEndpoint.is(to)) {
      streams.send(to, data);
    } else {
      socket.send(data, to);
    }
  }
}
