package io.p2pchat.rendezvous;

import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * How control messages cross the wire, in both directions: the one spot where a control datagram
 * is opened before the demux dispatches it to its {@link ControlHandler}, and where every control
 * message the rendezvous sends is sealed. {@link SealedControlChannel} runs the authenticated channel
 * (docs/PROTOCOL.md, "Sealed control"): a session per client, keyed by a Noise IK handshake with the
 * rendezvous's key; the handlers behind it see only opened, authenticated messages.
 */
interface ControlChannel {

  /**
   * What a control-channel datagram produced: a control message for the handlers, or a handshake
   * answer (cookie, response) for the sender, never both.
   *
   * @param message the opened control message, or null
   * @param reply   the datagram to answer the sender with, or null
   * @param outcome what the reply is, for the handshake meter (with {@code reply})
   * @param what    names the reply in logs and drop details
   * @param key     the Ed25519 key of the client whose session the message opened in (with {@code message})
   * @param later   instead of all of these: a handshake whose public-key work runs on a worker; its reply
   *                (or its failure, a {@link WireException} to drop and count) comes on the caller's context
   */
  record Opened(JsonObject message, Buffer reply, RendezvousMetrics.Handshake outcome, String what, byte[] key,
                Future<Opened> later) {

    static Opened message(JsonObject message, byte[] key) {
      return new Opened(message, null, null, null, key, null);
    }

    static Opened reply(Buffer reply, RendezvousMetrics.Handshake outcome, String what) {
      return new Opened(null, reply, outcome, what, null, null);
    }

    static Opened later(Future<Opened> later) {
      return new Opened(null, null, null, null, null, later);
    }
  }

  /**
   * Opens a control-channel datagram (first byte 0xD8) from {@code from}.
   *
   * @throws WireException when it is malformed, does not authenticate or was seen before: dropped and counted
   */
  Opened open(Endpoint from, Buffer datagram) throws WireException;

  /** The datagram that carries {@code message} to {@code to}, or null when {@code to} has no session to seal in. */
  Buffer seal(Endpoint to, JsonObject message);

  /**
   * The datagram that carries {@code message} in the session of the client holding {@code key}, whatever
   * address it goes to (an {@code alt-challenge} to the client's other address), or null without a session.
   */
  Buffer sealFor(byte[] key, JsonObject message);

  /** The address the client holding {@code key} speaks from in its session (its latest authenticated message), or null. */
  default Endpoint addressOf(byte[] key) {
    return null;
  }

  /**
   * True when the confirmed session of the client holding {@code key} was answered (its RESPONSE or RESUMED)
   * at {@code from}: a message opened in it from there proves the sender receives at {@code from}, as an echoed
   * address cookie does (docs/PROTOCOL.md, "Registering without a challenge"). False without sealed sessions.
   */
  default boolean answeredAt(byte[] key, Endpoint from) {
    return false;
  }

  /** Forgets expired sessions and the addresses of clients without one; returns the sessions removed. */
  int sweep(long nowNanos);

  /** The instance of {@code from} this channel holds (equal to it), or {@code from}: one Endpoint per client address. */
  default Endpoint canonical(Endpoint from) {
    return from;
  }

    /** Sessions held now (pending ones included), for {@code stats()}. */
  int sessions();

  /** Closes every session, wiping its keys: the rendezvous stops (its socket is closed, nothing seals or opens after). */
  void close();
}
