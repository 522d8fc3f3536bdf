package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;

/**
 * An address a peer may be reached at.
 *
 * @param endpoint where to send
 * @param kind how we learned it, which decides the path state it leads to
 */
record Candidate(Endpoint endpoint, Kind kind) {

  enum Kind {
    /** One of the peer's own interface addresses (a host candidate): same LAN. */
    LAN,
    /** The address the rendezvous saw the peer at (server-reflexive). */
    PUBLIC,
    /** The peer's address through its gateway's port mapping (NAT-PMP, PCP, UPnP-IGD): reached directly. */
    PORTMAP,
    /** An address a verified probe of the peer came from that no candidate named. */
    PEER_REFLEXIVE,
    /** Through the rendezvous relay. */
    RELAY
  }

  /** Stands for the relay among candidate endpoints: never a real, numeric address. */
  static final Endpoint VIA_RELAY = new Endpoint("relay", 0);

  /**
   * A host candidate of an introduction: a LAN one, or a global IPv6 address (2000::/3), which is
   * reached without NAT as a public address is, so its path is {@code direct}, not {@code direct-lan}.
   */
  static Candidate host(Endpoint endpoint) {
    return new Candidate(endpoint, io.p2pchat.common.LanRanges.isGlobalIpv6(endpoint.host()) ? Kind.PUBLIC : Kind.LAN);
  }

  PathState pathState() {
    switch (kind) {
      case LAN:
        return PathState.DIRECT_LAN;
      case RELAY:
        return PathState.RELAYED;
      default:
        return PathState.DIRECT;
    }
  }
}
