package io.p2pchat.chat;

/**
 * The event-bus addresses of one node, all under its {@code eventBusPrefix} (default
 * {@code p2pchat}), so several nodes can share one Vert.x instance. The first group is the public
 * API (README table); the {@code punch.*} ones are internal between ChatVerticle and PunchVerticle.
 */
public final class ChatAddresses {

  private final String prefix;
  private final String send;
  private final String received;
  private final String sent;
  private final String delivered;
  private final String failed;
  private final String peerState;
  private final String rendezvousState;
  private final String peers;
  private final String history;
  private final String peerUntrusted;
  private final String peerAccept;
  private final String node;
  private final String punchSend;
  private final String punchEvents;
  private final String netcheck;
  private final String stats;

  /** Every address is built once here: they are looked up for each message published. */
  public ChatAddresses(String prefix) {
    this.prefix = prefix;
    this.send = prefix + ".chat.send";
    this.received = prefix + ".chat.received";
    this.sent = prefix + ".chat.sent";
    this.delivered = prefix + ".chat.delivered";
    this.failed = prefix + ".chat.failed";
    this.peerState = prefix + ".peer.state";
    this.rendezvousState = prefix + ".rendezvous.state";
    this.peers = prefix + ".peers";
    this.history = prefix + ".history";
    this.peerUntrusted = prefix + ".peer.untrusted";
    this.peerAccept = prefix + ".peer.accept";
    this.node = prefix + ".node";
    this.punchSend = prefix + ".punch.send";
    this.punchEvents = prefix + ".punch.events";
    this.netcheck = prefix + ".netcheck";
    this.stats = prefix + ".punch.stats";
  }

  public String prefix() {
    return prefix;
  }


  /**
   * Request {@code {"text","to"?}} → reply {@code {"id"}} once accepted; or the batch form
   * {@code {"texts":[...],"to"?}} → reply {@code {"ids":[...]}} once all are accepted.
   */
  public String send() {
    return send;
  }

  /** Published {@code {"id","from","to"?,"text","ts"}}. */
  public String received() {
    return received;
  }

  /** Published {@code {"id","to"?,"text","ts"}}: what any front end of this node sent. */
  public String sent() {
    return sent;
  }

  /** Published {@code {"id","peer"}}: that peer acknowledged the message. */
  public String delivered() {
    return delivered;
  }

  /** Published {@code {"id","peer","reason"}}: the message could not be delivered to that peer. */
  public String failed() {
    return failed;
  }

  /** Published {@code {"nick","state","address","rttMs"?,"fingerprint"?}}. */
  public String peerState() {
    return peerState;
  }

  /** Published {@code {"state":"up"|"down","address"}}. */
  public String rendezvousState() {
    return rendezvousState;
  }

  /** Request → {@code {"peers":[…]}}. */
  public String peers() {
    return peers;
  }

  /** Request {@code {"peer"?,"limit"?}} → {@code {"messages":[…]}}. */
  public String history() {
    return history;
  }

  /** Published {@code {"nick","fingerprint","knownFingerprint"}}: a peer's key is not the one known for it. */
  public String peerUntrusted() {
    return peerUntrusted;
  }

  /** Request {@code {"nick"}}: trust the new key a peer presented (after comparing fingerprints). */
  public String peerAccept() {
    return peerAccept;
  }

  /** Request → the node's own {@code {"nick","room","fingerprint"?}}. */
  public String node() {
    return node;
  }

  /** Internal: ChatVerticle hands an {@code OutboundBatch} to PunchVerticle. */
  public String punchSend() {
    return punchSend;
  }

  /** Internal: PunchVerticle hands a {@code PunchEventBatch} (outcomes, received messages) to ChatVerticle. */
  public String punchEvents() {
    return punchEvents;
  }

  /** Request → how this node's NAT maps ({@code {"mapping","sources":[{"server","mapped"}]}}). */
  public String netcheck() {
    return netcheck;
  }

  /** Request → drop counters and path details, for diagnostics. */
  public String stats() {
    return stats;
  }
}
