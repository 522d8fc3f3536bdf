package io.p2pchat.punch;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Supplier;

/**
 * What front ends hear about peers, as the JSON of the README's event-bus table: {@code peer.state}
 * on every path change (and when the round trip moved), {@code peer.untrusted} when a known nick
 * shows another key, and the answer to {@code peers}. Lives on PunchVerticle's event loop only.
 */
final class PeerEvents {

  /** A round trip that moved by more than 1/4 of the one shown is published again at once. */
  private static final long RTT_CHANGE_DENOMINATOR = 4;
  /**
   * A smaller move is published once the shown one is this old: a round trip drifting 0.8 -> 0.95 ms
   * never moves a quarter at a time, yet the page must follow it. Two default keep-alives (15 s each),
   * so a peer adds at most one {@code peer.state} per 30 s to the event bus.
   */
  static final long RTT_REFRESH_NANOS = 30_000_000_000L;
  /** Moves under this are not worth a refresh: the page shows a round trip to 0.1 ms. */
  static final long RTT_SHOWN_PRECISION_NANOS = 100_000L;
  /** {@code rttMs} is shown to the microsecond: nanoseconds to whole microseconds, then to milliseconds. */
  private static final double NANOS_PER_MICRO = 1_000.0;
  private static final double MICROS_PER_MILLI = 1_000.0;

  private final EventBus eventBus;
  private final ChatAddresses addresses;
  private final Supplier<String> relay;
  private final java.util.function.BooleanSupplier relayOverTls;

  /**
   * @param relay the rendezvous relaying for us now, as we reach it: the address shown for a relayed path (its
   *              TLS {@code host:port} while on the TLS fallback: the UDP port is the one that does not work then)
   * @param relayOverTls true while we reach that rendezvous over TLS: a relayed path shows {@code "transport": "tls"}
   */
  PeerEvents(EventBus eventBus, ChatAddresses addresses, Supplier<String> relay,
             java.util.function.BooleanSupplier relayOverTls) {
    this.eventBus = eventBus;
    this.addresses = addresses;
    this.relay = relay;
    this.relayOverTls = relayOverTls;
  }

  /** Publishes {@code peer.state}: the session is at {@code state} over {@code address} (null: none). */
  void state(PeerSession session, PathState state, Endpoint address) {
    session.publishedRttNanos = session.rttNanos();
    session.publishedRttAtNanos = System.nanoTime();
    eventBus.publish(addresses.peerState(), peerJson(session, state, address));
  }

  /** Publishes {@code peer.state} for the session's path as it is now. */
  void current(PeerSession session) {
    state(session, session.path.state(), session.path.address());
  }

  /** A keep-alive measured a round trip front ends should see ({@link #rttWorthPublishing}): tell them. */
  void stateIfRttMoved(PeerSession session, long now) {
    if (session.path.state() != PathState.CONNECTING
      && rttWorthPublishing(session.rttNanos(), session.publishedRttNanos, now - session.publishedRttAtNanos)) {
      current(session);
    }
  }

  /**
   * Whether round trip {@code rtt} is published again, {@code shown} (-1: none yet) having been published
   * {@code shownAgeNanos} ago: at once when it moved by more than a quarter, else once the shown one is
   * {@link #RTT_REFRESH_NANOS} old and off by at least what the page shows ({@link #RTT_SHOWN_PRECISION_NANOS}).
   */
  static boolean rttWorthPublishing(long rtt, long shown, long shownAgeNanos) {
    if (rtt < 0) {
      return false;
    }
    if (shown < 0) {
      return true;
    }
    long moved = Math.abs(rtt - shown);
    return moved * RTT_CHANGE_DENOMINATOR > shown
      || (shownAgeNanos >= RTT_REFRESH_NANOS && moved >= RTT_SHOWN_PRECISION_NANOS);
  }

  /** Publishes {@code peer.untrusted}: {@code nick} offered a key that is not the one known for it. */
  void untrusted(String nick, String offered, String known) {
    eventBus.publish(addresses.peerUntrusted(), new JsonObject().put("nick", nick)
      .put("fingerprint", offered).put("knownFingerprint", known));
  }

  /** The answer to {@code peers}: each session as {@code peer.state} shows it, in the order given. */
  JsonObject peers(List<PeerSession> sessions) {
    JsonArray list = new JsonArray();
    sessions.forEach(s -> list.add(peerJson(s, s.path.state(), s.path.address())));
    return new JsonObject().put("peers", list);
  }

  private JsonObject peerJson(PeerSession session, PathState state, Endpoint address) {
    JsonObject json = new JsonObject().put("nick", session.nick).put("state", state.label())
      .put("address", address == null ? null
        : address.equals(Candidate.VIA_RELAY) ? relay.get() : address.toString());
    if (Candidate.VIA_RELAY.equals(address)) {
      json.put("transport", relayOverTls.getAsBoolean() ? "tls" : "udp");
    }
    if (session.rttNanos() >= 0) {
      json.put("rttMs", Math.round(session.rttNanos() / NANOS_PER_MICRO) / MICROS_PER_MILLI);
    }
    if (session.fingerprint() != null) {
      json.put("fingerprint", session.fingerprint());
    }
    return json;
  }
}
