package io.p2pchat.client;

import io.p2pchat.client.impl.Checks;
import io.vertx.core.json.JsonObject;

/**
 * A peer's path changed (or its round trip moved): the {@code <prefix>.peer.state} event
 * {@code {"nick", "state", "address", "rttMs"?, "fingerprint"?}}.
 *
 * @param nick        the peer
 * @param state       {@value #CONNECTING}, {@value #DIRECT_LAN}, {@value #DIRECT}, {@value #RELAYED} or {@value #GONE}
 * @param address     where its packets go ({@code host:port}; the rendezvous for a relayed path), or null
 * @param rttMs       the last measured round trip in milliseconds, or null before the first
 * @param fingerprint the peer's key fingerprint once its handshake is done, or null
 */
public record PeerState(String nick, String state, String address, Double rttMs, String fingerprint) {

  /** Introduced by the rendezvous, no path yet. */
  public static final String CONNECTING = "connecting";
  /** A direct path inside one LAN. */
  public static final String DIRECT_LAN = "direct-lan";
  /** A punched direct path. */
  public static final String DIRECT = "direct";
  /** Through the rendezvous' relay (ciphertext only). */
  public static final String RELAYED = "relayed";
  /** The peer left or was lost. */
  public static final String GONE = "gone";

  /** From the event's JSON. */
  public PeerState(JsonObject json) {
    this(json.getString("nick"), json.getString("state"), json.getString("address"), json.getDouble("rttMs"),
      json.getString("fingerprint"));
  }

  /** True when messages can reach the peer now: a direct or relayed path. */
  public boolean reachable() {
    return isReachable(state);
  }

  /** True for the states with a path: {@value #DIRECT_LAN}, {@value #DIRECT}, {@value #RELAYED}. */
  public static boolean isReachable(String state) {
    return DIRECT_LAN.equals(state) || DIRECT.equals(state) || RELAYED.equals(state);
  }

  /** The event's JSON. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("nick", nick).put("state", state).put("address", address);
    return Checks.putIfSet(Checks.putIfSet(json, "rttMs", rttMs), "fingerprint", fingerprint);
  }
}
