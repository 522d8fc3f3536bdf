package io.p2pchat.chat;

/**
 * The event-bus addresses of one node, all under its {@code eventBusPrefix} (default
 * {@code p2pchat}), so several nodes can share one Vert.x instance (one node per prefix: a second
 * one is refused at deploy).
 *
 * <p>Each address is either <b>public</b> or <b>internal</b>, and says which:
 * <ul>
 *   <li>Public: the API of the README's "Event-bus API" table, for front ends and other verticles
 *   in this Vert.x instance or anywhere on a clustered event bus. Requests are plain consumers
 *   whose bodies are checked by a {@link RequestSchema} (failures: {@link FailureCodes}); events
 *   are published as JSON objects.</li>
 *   <li>Internal ({@link #punchSend()}, {@link #punchEvents()}): hand-offs between this node's
 *   ChatVerticle and PunchVerticle, and the in-process forms of the batched events for {@code ChatClient}
 *   ({@link #receivedLocal()} …), registered with {@code localConsumer} and sent with local-only
 *   delivery, so they never cross a clustered event bus (their bodies are passed by reference).
 *   Nothing else may consume or send on them.</li>
 * </ul>
 */
public final class ChatAddresses {

  /**
   * Suffix of a per-message event's batched form: {@code p2pchat.chat.received.batch} publishes
   * {@code {"events": [...]}}, every {@code chat.received} body of one event-loop turn, in order.
   */
  public static final String BATCH_SUFFIX = ".batch";
  /** The batched form's one field: the per-message bodies, in order. */
  public static final String BATCH_EVENTS = "events";
  /**
   * Suffix of a batched event's in-process form ({@link LocalEventBatch}): {@code p2pchat.chat.received.batch.local}
   * is internal, for {@code ChatClient} in the node's own Vert.x instance.
   */
  public static final String LOCAL_SUFFIX = ".local";

  private final String prefix;
  private final String send;
  private final String received;
  private final String sent;
  private final String delivered;
  private final String queued;
  private final String failed;
  private final String receivedBatch;
  private final String sentBatch;
  private final String deliveredBatch;
  private final String receivedLocal;
  private final String sentLocal;
  private final String deliveredLocal;
  private final String peerState;
  private final String rendezvousState;
  private final String lanState;
  private final String peers;
  private final String history;
  private final String peerUntrusted;
  private final String peerAccept;
  private final String node;
  private final String punchSend;
  private final String punchEvents;
  private final String punchMailRecorded;
  private final String netcheck;
  private final String stats;

  /**
   * The addresses of the node whose prefix is {@code prefix}; each is built once here: they are
   * looked up for each message published.
   */
  public ChatAddresses(String prefix) {
    this.prefix = prefix;
    this.send = prefix + ".chat.send";
    this.received = prefix + ".chat.received";
    this.sent = prefix + ".chat.sent";
    this.delivered = prefix + ".chat.delivered";
    this.queued = prefix + ".chat.queued";
    this.failed = prefix + ".chat.failed";
    this.receivedBatch = received + BATCH_SUFFIX;
    this.sentBatch = sent + BATCH_SUFFIX;
    this.deliveredBatch = delivered + BATCH_SUFFIX;
    this.receivedLocal = receivedBatch + LOCAL_SUFFIX;
    this.sentLocal = sentBatch + LOCAL_SUFFIX;
    this.deliveredLocal = deliveredBatch + LOCAL_SUFFIX;
    this.peerState = prefix + ".peer.state";
    this.rendezvousState = prefix + ".rendezvous.state";
    this.lanState = prefix + ".lan.state";
    this.peers = prefix + ".peers";
    this.history = prefix + ".history";
    this.peerUntrusted = prefix + ".peer.untrusted";
    this.peerAccept = prefix + ".peer.accept";
    this.node = prefix + ".node";
    this.punchSend = prefix + ".punch.send";
    this.punchEvents = prefix + ".punch.events";
    this.punchMailRecorded = prefix + ".punch.mailRecorded";
    this.netcheck = prefix + ".netcheck";
    this.stats = prefix + ".punch.stats";
  }

  /** The node's {@code eventBusPrefix}. */
  public String prefix() {
    return prefix;
  }


  /**
   * Public request {@code {"text","to"?}} → reply {@code {"id"}} once accepted; or the batch form
   * {@code {"texts":[...],"to"?}} → reply {@code {"ids":[...]}} once all are accepted.
   */
  public String send() {
    return send;
  }

  /** Public, published {@code {"id","from","to"?,"text","ts"}}. */
  public String received() {
    return received;
  }

  /** Public, published {@code {"id","to"?,"text","ts"}}: what any front end of this node sent. */
  public String sent() {
    return sent;
  }

  /** Public, published {@code {"id","peer"}}: that peer acknowledged the message. */
  public String delivered() {
    return delivered;
  }

  /** Public, published {@code {"events": [...]}}: the {@link #received()} bodies of one event-loop turn, in order. */
  public String receivedBatch() {
    return receivedBatch;
  }

  /** Public, published {@code {"events": [...]}}: the {@link #sent()} bodies of one event-loop turn, in order. */
  public String sentBatch() {
    return sentBatch;
  }

  /** Public, published {@code {"events": [...]}}: the {@link #delivered()} bodies of one event-loop turn, in order. */
  public String deliveredBatch() {
    return deliveredBatch;
  }

  /**
   * Internal (local only): {@link #receivedBatch()}'s events as a {@link LocalEventBatch}, for {@code ChatClient}
   * in this Vert.x instance; published only while one listens ({@link LocalEventListeners}).
   */
  public String receivedLocal() {
    return receivedLocal;
  }

  /** Internal (local only): {@link #sentBatch()}'s events as a {@link LocalEventBatch} (see {@link #receivedLocal()}). */
  public String sentLocal() {
    return sentLocal;
  }

  /** Internal (local only): {@link #deliveredBatch()}'s events as a {@link LocalEventBatch} (see {@link #receivedLocal()}). */
  public String deliveredLocal() {
    return deliveredLocal;
  }

  /**
   * Public, published {@code {"id","peer"}}: the peer is offline and the message waits in its mailbox at the
   * rendezvous; {@link #delivered()} follows when its receipt comes (docs/PROTOCOL.md, "Mailbox").
   */
  public String queued() {
    return queued;
  }

  /**
   * Public, published {@code {"id","peer","reason"}}: the message could not be delivered to that
   * peer; {@code {"id","reason"}} without {@code peer}: a room message that reached nobody.
   */
  public String failed() {
    return failed;
  }

  /** Public, published {@code {"nick","state","address","rttMs"?,"fingerprint"?}}. */
  public String peerState() {
    return peerState;
  }

  /**
   * Public, published {@code {"state":"lan-only"}} (no rendezvous answered: LAN discovery is the only
   * way to meet) and {@code {"state":"none-found","afterSeconds"}} (no node answered mDNS in that time).
   */
  public String lanState() {
    return lanState;
  }

  /** Public, published {@code {"state":"up"|"down","address"}}. */
  public String rendezvousState() {
    return rendezvousState;
  }

  /** Public request {@code {}} or null → {@code {"peers":[…]}}. */
  public String peers() {
    return peers;
  }

  /** Public request {@code {"peer"?,"limit"?}} or null → {@code {"messages":[…]}}. */
  public String history() {
    return history;
  }

  /** Public, published {@code {"nick","fingerprint","knownFingerprint"}}: a peer's key is not the one known for it. */
  public String peerUntrusted() {
    return peerUntrusted;
  }

  /** Public request {@code {"nick"}}: trust the new key a peer presented (after comparing fingerprints). */
  public String peerAccept() {
    return peerAccept;
  }

  /**
   * Public request {@code {}} or null → the node's own {@code {"nick","room","fingerprint","rendezvous"}};
   * also how a node deploying on a clustered event bus learns who holds a prefix.
   */
  public String node() {
    return node;
  }

  /** Internal (local only): ChatVerticle hands an {@code OutboundBatch} to PunchVerticle. */
  public String punchSend() {
    return punchSend;
  }

  /** Internal (local only): PunchVerticle hands a {@code PunchEventBatch} (outcomes, received messages) to ChatVerticle. */
  public String punchEvents() {
    return punchEvents;
  }

  /**
   * Internal, ChatVerticle to PunchVerticle {@code {"seqs": [..]}}: these mailbox messages are in the history
   * journal (or were duplicates): acknowledge them to the rendezvous and send their receipts.
   */
  public String punchMailRecorded() {
    return punchMailRecorded;
  }

  /** Public request {@code {}} or null → how this node's NAT maps ({@code {"mapping","sources":[{"server","mapped"}]}}). */
  public String netcheck() {
    return netcheck;
  }

  /**
   * Public request {@code {}} or null → drop counters and path details, for diagnostics (public
   * despite its {@code punch.} name, which the README has always shown; it reads, changes nothing).
   */
  public String stats() {
    return stats;
  }
}
