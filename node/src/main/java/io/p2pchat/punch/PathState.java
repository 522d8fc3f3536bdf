package io.p2pchat.punch;

/** A peer's path as users see it (console, {@code peer.state} events, logs). */
public enum PathState {
  /** Introduced, no path confirmed yet (or the last one was lost). */
  CONNECTING("connecting", 0),
  /** Through the rendezvous relay: punching failed, still retrying in the background. */
  RELAYED("relayed", 1),
  /** Direct over the peer's public (reflexive or peer-reflexive) address. */
  DIRECT("direct", 2),
  /** Direct over an address the peer reported as its own: both on one LAN. */
  DIRECT_LAN("direct-lan", 3),
  /** Left or expired. */
  GONE("gone", -1);

  private final String label;
  private final int preference;

  PathState(String label, int preference) {
    this.label = label;
    this.preference = preference;
  }

  /** The name on the wire of events and in the console. */
  public String label() {
    return label;
  }

  /** Higher is better: LAN over public, direct over relay. */
  int preference() {
    return preference;
  }

  public boolean isDirect() {
    return this == DIRECT || this == DIRECT_LAN;
  }
}
