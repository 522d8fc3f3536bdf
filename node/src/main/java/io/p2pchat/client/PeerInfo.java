package io.p2pchat.client;

import io.vertx.core.json.JsonObject;

/**
 * One peer as {@link ChatClient#peers()} lists it (an entry of the {@code <prefix>.peers} reply):
 * the same fields as the {@link PeerState} event, which this wraps.
 *
 * @param peer the peer's nick, path, address, round trip and fingerprint
 */
public record PeerInfo(PeerState peer) {

  /** From an entry of the {@code peers} reply. */
  public PeerInfo(JsonObject json) {
    this(new PeerState(json));
  }

  /** The peer's nick. */
  public String nick() {
    return peer.nick();
  }

  /** Its path: one of {@link PeerState}'s state names. */
  public String state() {
    return peer.state();
  }

  /** Where its packets go, or null. */
  public String address() {
    return peer.address();
  }

  /** The last round trip in milliseconds, or null. */
  public Double rttMs() {
    return peer.rttMs();
  }

  /** Its key fingerprint, or null before the handshake. */
  public String fingerprint() {
    return peer.fingerprint();
  }

  /** True when messages can reach it now. */
  public boolean reachable() {
    return peer.reachable();
  }

  /** The entry's JSON. */
  public JsonObject toJson() {
    return peer.toJson();
  }
}
