package io.p2pchat.wire;

/** Why a datagram was dropped; the socket owners count drops per reason. */
public enum DropReason {
  /** The first byte matches none of the datagram kinds. */
  UNKNOWN_KIND,
  /** Larger than {@link PacketCodec#MAX_DATAGRAM}. */
  OVERSIZED,
  /** Shorter than its header or a length field says. */
  TRUNCATED,
  /** A packet of another protocol version. */
  BAD_VERSION,
  /** A packet type this socket does not take. */
  UNKNOWN_TYPE,
  /** Well-framed but with a field that makes no sense (bad JSON, bad UTF-8, bad value). */
  MALFORMED,
  /** A probe or data packet that failed authentication. */
  UNAUTHENTICATED,
  /** A packet for a session or introduction this node does not know. */
  UNKNOWN_SESSION,
  /**
   * A counter the replay window has already seen, or a DATA counter not above the highest accepted
   * that comes from an address other than the peer's path (a held-back packet replayed from elsewhere:
   * only the newest packet may start a roam).
   */
  REPLAYED,
  /** The sender is over its rate limit. */
  RATE_LIMITED,
  /**
   * A verified punch from yet another source of a peer that already taught its cap of peer-reflexive
   * addresses ({@code PeerPath.MAX_PEER_REFLEXIVE}): neither answered nor probed.
   */
  PEER_REFLEXIVE_CAP,
  /** A relay frame the server will not forward (unknown target, relay off, over its budget). */
  RELAY_REFUSED,
  /**
   * An answer to a sender whose address is not validated would exceed 3 times the bytes it sent
   * (RFC 9000 section 8.1): nothing was sent. A plain-text user pads the request to earn more.
   */
  AMPLIFICATION,
  /**
   * A client's address of its other family that the rendezvous could not validate: an {@code alt-confirm}
   * whose cookie was not issued to that address (forged, stale, or for another one), of the family it
   * registered over, or a synthetic TLS address; or an {@code alt} shorter than its minimum. Peers never
   * hear of it.
   */
  ALT_UNVALIDATED,
  /**
   * An authenticated packet that breaks the delivery protocol (an ACK of a seq never sent, frames
   * that do not parse or cannot assemble): the peer's session was closed and its messages failed.
   */
  PROTOCOL_VIOLATION,
  /**
   * A control-channel initiation (its cookie valid) the rendezvous had no room to run: its bounded queue of
   * handshake public-key work was full. Nothing was answered; the client sends it again on its schedule.
   */
  BUSY;

  /** The name used in logs and counters: {@code bad-version}. */
  public String label() {
    return name().toLowerCase().replace('_', '-');
  }
}
