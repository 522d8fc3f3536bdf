package io.p2pchat.chat;

/**
 * The event-bus addresses of one node, all under its {@code eventBusPrefix} (default
 * {@code p2pchat}), so several nodes can share one Vert.x instance. The first group is the public
 * API (README table); the {@code punch.*} ones are internal between ChatVerticle and PunchVerticle.
 */
public record ChatAddresses(String prefix) {

  /**
   * Request {@code {"text","to"?}} → reply {@code {"id"}} once accepted; or the batch form
   * {@code {"texts":[...],"to"?}} → reply {@code {"ids":[...]}} once all are accepted.
   */
  public String send() {
    return prefix + ".chat.send";
  }

  /** Published {@code {"id","from","to"?,"text","ts"}}. */
  public String received() {
    return prefix + ".chat.received";
  }

  /** Published {@code {"id","to"?,"text","ts"}}: what any front end of this node sent. */
  public String sent() {
    return prefix + ".chat.sent";
  }

  /** Published {@code {"id","peer"}}: that peer acknowledged the message. */
  public String delivered() {
    return prefix + ".chat.delivered";
  }

  /** Published {@code {"id","peer","reason"}}: the message could not be delivered to that peer. */
  public String failed() {
    return prefix + ".chat.failed";
  }

  /** Published {@code {"nick","state","address","rttMs"?,"fingerprint"?}}. */
  public String peerState() {
    return prefix + ".peer.state";
  }

  /** Published {@code {"state":"up"|"down","address"}}. */
  public String rendezvousState() {
    return prefix + ".rendezvous.state";
  }

  /** Request → {@code {"peers":[…]}}. */
  public String peers() {
    return prefix + ".peers";
  }

  /** Request {@code {"peer"?,"limit"?}} → {@code {"messages":[…]}}. */
  public String history() {
    return prefix + ".history";
  }

  /** Published {@code {"nick","fingerprint","knownFingerprint"}}: a peer's key is not the one known for it. */
  public String peerUntrusted() {
    return prefix + ".peer.untrusted";
  }

  /** Request {@code {"nick"}}: trust the new key a peer presented (after comparing fingerprints). */
  public String peerAccept() {
    return prefix + ".peer.accept";
  }

  /** Request → the node's own {@code {"nick","room","fingerprint"?}}. */
  public String node() {
    return prefix + ".node";
  }

  /** Internal: ChatVerticle hands an {@code OutboundBatch} to PunchVerticle. */
  public String punchSend() {
    return prefix + ".punch.send";
  }

  /** Internal: PunchVerticle hands a {@code PunchEventBatch} (outcomes, received messages) to ChatVerticle. */
  public String punchEvents() {
    return prefix + ".punch.events";
  }

  /** Request → how this node's NAT maps ({@code {"mapping","sources":[{"server","mapped"}]}}). */
  public String netcheck() {
    return prefix + ".netcheck";
  }

  /** Request → drop counters and path details, for diagnostics. */
  public String stats() {
    return prefix + ".punch.stats";
  }
}
