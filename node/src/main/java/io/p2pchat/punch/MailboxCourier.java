package io.p2pchat.punch;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.crypto.DepositIds;
import io.p2pchat.crypto.MailboxSeal;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.delivery.EnvelopeAssembler;
import io.p2pchat.mailbox.DepositQueue;
import io.p2pchat.mailbox.MailPlaintext;
import io.p2pchat.mailbox.PeerDirectory;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.wire.ChatPayload;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.MailboxControl;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.security.InvalidKeyException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * This node's side of the offline mailbox (docs/PROTOCOL.md, "Mailbox"): seals a message for a peer who is not
 * online to the static key the {@link PeerDirectory} learned from its handshake and deposits it at the rendezvous
 * ({@link DepositQueue}: one deposit in flight per recipient, retried under the same id); picks up this node's own
 * mailbox ({@code mail}: reassembled, opened, its sender checked against known_peers by {@link PeerTrust}'s rules),
 * hands each message to ChatVerticle and acknowledges it only once ChatVerticle recorded it; seals the receipts
 * into their senders' mailboxes; turns {@code deposited}, {@code refused} and {@code expired} into the events of
 * the messages. Lives on PunchVerticle's event loop only; the directory is written off it.
 */
final class MailboxCourier {

  /** Envelopes in parts assembled at once: the design's 4 per peer (the rendezvous is the one peer here). */
  static final int MAX_INCOMPLETE = 4;
  /** An envelope without a new part for this long is forgotten: the rendezvous sends it again. */
  static final long ASSEMBLY_TIMEOUT_MS = 30_000;
  /**
   * Opened messages waiting for ChatVerticle's "recorded": the rendezvous sends 32 unacknowledged at a time, and
   * retransmits; eight windows leaves room for retransmissions and a slow journal without growing without bound.
   */
  static final int MAX_UNRECORDED = 256;
  /**
   * Mail seqs this node acknowledged lately, remembered so a copy that comes again (our {@code mail-ack} was lost:
   * the rendezvous retransmits until one arrives) is acknowledged again without being opened, ordered or counted as
   * late. 32 windows of the pick-up: copies come within seconds, and an older one is opened and recognised by the
   * history, as before.
   */
  static final int RECENT_ACKS = 1_024;
  /** Directory changes are written at most this often: a burst of sessions is one write, a crash loses a second's learning. */
  static final long DIRECTORY_SAVE_MS = 1_000;
  /** Bytes of a recipient key shown in logs: 4, as a key id. */
  static final int KEY_ID_BYTES = 4;
  /**
   * The counter's start each run: the wall clock in ms times this, so a restarted node never reuses a counter
   * (a thousand messages a millisecond, for a millisecond, before it runs ahead of the clock).
   */
  static final long COUNTER_PER_MS = 1_000;
  /** What a deposit id stands for, its first letter inside ({@link DepositIds}): a direct message, a room message, a receipt. */
  static final String DID_DIRECT = "d";
  static final String DID_ROOM = "r";
  static final String DID_RECEIPT = "k";
  /** The refusal of a rendezvous that keeps no mailbox ({@code mailbox: false}, or one from before issue 17). */
  static final String NOT_ENABLED = "not-enabled";

  /** Where mailbox messages go: the sealed control channel to the current rendezvous. */
  interface Link {
    void send(JsonObject message);
  }

  /**
   * What a deposit is for: a chat message ({@code chat}) to {@code peer}, or a receipt ({@code chat} null) for
   * the mail {@code acks}, acknowledged to the rendezvous once the receipt is stored (so a recipient that quits
   * or crashes first is sent them again, finds them in its history, and sends the receipt again).
   */
  private record Tag(OutboundChat chat, String peer, List<Long> acks) {
    Tag(OutboundChat chat, String peer) {
      this(chat, peer, List.of());
    }
  }

  /** An opened message waiting to be recorded: what its receipt needs. */
  private record Unrecorded(long seq, String nick, byte[] identityKey, byte[] staticKey, MailPlaintext mail) {
  }

  private final Vertx vertx;
  private final NodeLog log;
  private final NodeOptions options;
  private final NodeIdentity identity;
  private final PeerDirectory directory;
  private final DepositIds depositIds;
  private final PeerTrust trust;
  private final PeerTable peers;
  private final TurnBatch<PunchEvent> events;
  private final Link rendezvous;
  private final DepositQueue<Tag> deposits = new DepositQueue<>();
  private final EnvelopeAssembler<Long> assembler = new EnvelopeAssembler<>(MAX_INCOMPLETE, MailboxControl.MAX_PARTS,
    MailboxControl.PART_BYTES, ASSEMBLY_TIMEOUT_MS);
  /** By the rendezvous's {@code seq}, oldest first. */
  private final LinkedHashMap<Long, Unrecorded> unrecorded = new LinkedHashMap<>();
  /** Recorded chat mail whose {@code mail-ack} waits for its receipt to be stored: a copy of it is ignored. */
  private final Set<Long> awaitingReceipt = new HashSet<>();
  /** The last {@link #RECENT_ACKS} seqs acknowledged, oldest first: a copy of one is acknowledged again at once. */
  private final Set<Long> acknowledged = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > RECENT_ACKS;
    }
  });
  /** Mail dropped, by reason: forged, unauthenticated, untrusted, malformed. */
  private final Map<String, Long> dropped = new TreeMap<>();
  /**
   * Opened chat mail held until each sender's messages can be shown in its order, and, while a pick-up announced
   * by {@code registered} is under way, the publication of live messages ({@link PunchEvent.Shown}) behind it.
   */
  private final MailOrder<PunchEvent> order = new MailOrder<>();
  /** The last live message whose publication was held: {@link PunchEvent.Received#held}. */
  private long liveHeld;
  private long counter = System.currentTimeMillis() * COUNTER_PER_MS;
  /** The rendezvous answered {@code not-enabled}: nothing more is deposited until it registers us again. */
  private boolean notEnabled;
  private long timer = -1;
  private long orderTimer = -1;
  private long saveTimer = -1;
  private Future<Void> lastSave = Future.succeededFuture();
  private long queuedTotal;
  private long pickedUp;

  MailboxCourier(Vertx vertx, NodeLog log, NodeOptions options, NodeIdentity identity, PeerDirectory directory,
                 DepositIds depositIds, PeerTrust trust, PeerTable peers, TurnBatch<PunchEvent> events, Link rendezvous) {
    this.vertx = vertx;
    this.log = log;
    this.options = options;
    this.identity = identity;
    this.directory = directory;
    this.depositIds = depositIds;
    this.trust = trust;
    this.peers = peers;
    this.events = events;
    this.rendezvous = rendezvous;
  }

  // ---------------------------------------------------------------- what sessions teach

  /** An authenticated session with {@code nick} showed these keys (the handshake checked the binding). */
  void learned(String nick, byte[] identityKey, byte[] staticKey, byte[] binding) {
    directory.learned(nick, identityKey, staticKey, binding);
    scheduleSave();
  }

  /** We talked with {@code nick} in our room: room messages are queued for it while it is away, for the window. */
  void talked(String nick) {
    directory.talked(nick, options.room(), System.currentTimeMillis());
    scheduleSave();
  }

  // ---------------------------------------------------------------- sending

  /** True when a direct message to {@code nick} can be queued: the mailbox is on and we know its trusted keys. */
  boolean canQueue(String nick) {
    return enabled() && trustedPeer(nick).isPresent();
  }

  /**
   * True when messages for {@code nick} still wait to be deposited: a new direct message for it goes the same way
   * even if its session is back, so the peer gets them in the order they were sent.
   */
  boolean depositing(String nick) {
    if (deposits.pending() == 0) {
      return false; // the common case, on every direct message: no look-up, no key encoded
    }
    return directory.peer(nick).map(p -> deposits.holds(b64(p.identityKey()))).orElse(false);
  }

  /** The room's members we talked with there within the window who are not online, with trusted keys. */
  List<PeerDirectory.Peer> awayMembers() {
    if (!enabled()) {
      return List.of();
    }
    long since = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(options.mailboxRoomWindowDays());
    List<PeerDirectory.Peer> away = new ArrayList<>();
    for (PeerDirectory.Peer p : directory.talkedIn(options.room(), since)) {
      if (peers.byNick(p.nick()) == null && trust.isTrusted(p.nick(), p.identityKey())) {
        away.add(p);
      }
    }
    return away;
  }

  /** Queues a direct message for its peer ({@link #canQueue} said yes). */
  void queueDirect(OutboundChat chat, long now) {
    trustedPeer(chat.to()).ifPresentOrElse(p -> deposit(chat, p, "", now),
      () -> events.add(new PunchEvent.Failed(chat, chat.to(), "no key known to seal to")));
  }

  /** Queues a room message for each of {@code members}. */
  void queueRoom(OutboundChat chat, List<PeerDirectory.Peer> members, long now) {
    for (PeerDirectory.Peer p : members) {
      deposit(chat, p, options.room(), now);
    }
  }

  /**
   * A message a session could not deliver within the deadline (or whose peer left): queued for that peer when
   * possible (true), so the peer gets it when it is back; false leaves it failed.
   */
  boolean takeOver(OutboundChat chat, String nick, long now) {
    Optional<PeerDirectory.Peer> p = enabled() ? trustedPeer(nick) : Optional.empty();
    p.ifPresent(peer -> deposit(chat, peer, chat.to() == null ? options.room() : "", now));
    return p.isPresent();
  }

  private boolean enabled() {
    return options.mailbox() && !notEnabled;
  }

  private Optional<PeerDirectory.Peer> trustedPeer(String nick) {
    return directory.peer(nick).filter(p -> trust.isTrusted(nick, p.identityKey()));
  }

  private void deposit(OutboundChat chat, PeerDirectory.Peer to, String room, long now) {
    ChatPayload payload;
    try {
      payload = ChatPayload.decode(chat.payload());
    } catch (WireException e) {
      throw new IllegalStateException("BUG: ChatVerticle encoded a payload that does not decode", e);
    }
    byte[] plaintext;
    try {
      plaintext = MailPlaintext.chat(options.nick(), payload.id(), room, payload.ts(), ++counter, payload.text()).encode();
    } catch (IllegalArgumentException e) {
      events.add(new PunchEvent.Failed(chat, to.nick(), "too long for the mailbox"));
      return;
    }
    String did = depositIds.seal((room.isEmpty() ? DID_DIRECT : DID_ROOM) + payload.id(), to.identityKey());
    enqueue(did, to, plaintext, new Tag(chat, to.nick()), now);
  }

  private void enqueue(String did, PeerDirectory.Peer to, byte[] plaintext, Tag tag, long now) {
    byte[] envelope;
    try {
      envelope = MailboxSeal.seal(identity, to.staticKey(), to.identityKey(), plaintext, options.cipher());
    } catch (InvalidKeyException e) {
      fail(tag, "the key of " + to.nick() + " cannot be sealed to");
      return;
    }
    DepositQueue.Deposit<Tag> deposit = new DepositQueue.Deposit<>(did, b64(to.identityKey()),
      MailboxControl.split(did, to.identityKey(), envelope), tag);
    if (!deposits.add(deposit, now)) {
      fail(tag, "too many messages waiting for the mailbox (" + DepositQueue.MAX_PENDING + ")");
      return;
    }
    sendDue(now);
  }

  private void fail(Tag tag, String reason) {
    if (tag.chat() != null) {
      events.add(new PunchEvent.Failed(tag.chat(), tag.peer(), reason));
    } else {
      // The sender keeps its messages queued: the mail is acknowledged all the same, or it would come back forever.
      log.warn("receipt for {} not deposited: {}", tag.peer(), reason);
      acknowledge(tag.acks());
    }
  }

  // ---------------------------------------------------------------- the rendezvous link

  /**
   * Registered (again): what waits is deposited, and the rendezvous sends our mailbox, {@code mail} entries
   * ({@code registered}'s count; -1: it did not say). Live messages are held behind them only when there are some.
   */
  void up(int mail, long now) {
    notEnabled = false;
    // A seq names an entry of one mailbox: this registration may be with another one (an independent server of
    // rendezvous.servers, a mailbox made anew), whose entries must not be taken for copies of the last one's.
    acknowledged.clear();
    awaitingReceipt.clear();
    show(order.pickUpStarted(options.mailbox() ? mail : -1, now));
    armOrderTimer();
    deposits.resume(now);
    sendDue(now);
  }

  /** Not registered: deposits wait. */
  void down() {
    deposits.pause();
    vertx.cancelTimer(timer);
    timer = -1;
  }

  /** A mailbox message from the rendezvous. */
  void onControl(MailboxControl.Type type, JsonObject msg, long now) throws WireException {
    switch (type) {
      case DEPOSITED -> {
        MailboxControl.Deposited d = MailboxControl.decodeDeposited(msg);
        DepositQueue.Outcome<Tag> outcome = deposits.deposited(d.did(), d.part(), d.seq(), now);
        if (outcome != null && outcome.deposit().tag().chat() != null) {
          queuedTotal++;
          events.add(new PunchEvent.Queued(outcome.deposit().tag().chat(), outcome.deposit().tag().peer()));
        } else if (outcome != null) {
          acknowledge(outcome.deposit().tag().acks());
        }
      }
      case REFUSED -> {
        MailboxControl.Refused r = MailboxControl.decodeRefused(msg);
        if (r.reason().equals(NOT_ENABLED)) {
          notEnabled = true;
          log.warn("the rendezvous keeps no mailbox: messages for peers who are away fail as before");
          for (DepositQueue.Deposit<Tag> d : deposits.drain()) {
            fail(d.tag(), "the rendezvous keeps no mailbox");
          }
        } else {
          DepositQueue.Outcome<Tag> outcome = deposits.refused(r.did(), r.reason(), now);
          if (outcome != null) {
            fail(outcome.deposit().tag(), "refused by the mailbox: " + r.reason());
          }
        }
      }
      case MAIL -> onMail(MailboxControl.decodeMail(msg), now);
      case EXPIRED -> onExpired(MailboxControl.decodeExpired(msg));
      default -> throw new WireException(DropReason.UNKNOWN_TYPE, "mailbox " + type.wireName() + " at a client");
    }
    sendDue(now);
  }

  private void onMail(MailboxControl.MailPart part, long now) {
    long seq = part.seq();
    boolean acked = acknowledged.contains(seq);
    if (acked || unrecorded.containsKey(seq) || awaitingReceipt.contains(seq)) {
      // Opened already: its record or its receipt is on the way (acknowledged then), or our acknowledgement was
      // lost, so acknowledged again, once per copy (its first part). It still counts among the entries the
      // registration announced: a pick-up after a re-registration brings such copies, and live messages must not
      // wait out the pick-up's bound for them.
      if (acked && part.part() == 1) {
        acknowledge(List.of(seq));
      }
      show(order.arrived(seq, now));
      armOrderTimer();
      return;
    }
    long nowMillis = System.currentTimeMillis();
    switch (assembler.accept(part.seq(), part.part(), part.parts(), part.data(), nowMillis)) {
      case REFUSED -> drop(part.seq(), "malformed", "a part that contradicts the others");
      case COMPLETE -> {
        if (!open(part, assembler.complete(), now)) {
          return; // not taken: it comes again
        }
      }
      default -> {
        return; // more parts to come, or a copy
      }
    }
    // One more of the entries registered announced is in (shown, held or dropped).
    show(order.arrived(part.seq(), now));
    armOrderTimer();
  }

  /** False when the mail was not taken (ChatVerticle is behind): the rendezvous sends it again. */
  private boolean open(MailboxControl.MailPart part, byte[] envelope, long now) {
    MailboxSeal.Opened opened;
    try {
      opened = MailboxSeal.open(identity, envelope);
    } catch (MailboxSeal.SealException e) {
      drop(part.seq(), e.refusal().code(), e.getMessage());
      return true;
    }
    if (!Arrays.equals(opened.senderSigningKey(), part.from())) {
      drop(part.seq(), "forged", "sealed by " + NodeIdentity.fingerprintOf(opened.senderSigningKey())
        + ", deposited by " + NodeIdentity.fingerprintOf(part.from()));
      return true;
    }
    MailPlaintext mail;
    try {
      mail = MailPlaintext.decode(opened.plaintext());
    } catch (WireException e) {
      drop(part.seq(), "malformed", e.getMessage());
      return true;
    }
    if (!Control.NICK_PATTERN.matcher(mail.from()).matches() || mail.from().equals(options.nick())) {
      drop(part.seq(), "malformed", "sender nick " + mail.from());
      return true;
    }
    if (!trust.trustKey(mail.from(), opened.senderSigningKey())) {
      drop(part.seq(), "untrusted", "not the key known for " + mail.from());
      return true;
    }
    if (unrecorded.size() >= MAX_UNRECORDED) {
      return false; // ChatVerticle is behind: the rendezvous sends it again
    }
    pickedUp++;
    Unrecorded u = new Unrecorded(part.seq(), mail.from(), opened.senderSigningKey(), opened.senderStaticKey(), mail);
    unrecorded.put(part.seq(), u);
    PunchEvent.Mail event = new PunchEvent.Mail(u.nick(), u.seq(), u.mail());
    if (mail.kind() != MailPlaintext.Kind.CHAT) {
      events.add(event); // a receipt shows nothing: no order to keep
      return true;
    }
    long late = order.outOfOrder();
    show(order.add(mail.from(), mail, event, now));
    if (order.outOfOrder() != late) {
      log.warnRateLimited("mail-order", "mail {} from {} arrived after later ones of {} were shown: "
        + "shown out of its order", part.seq(), mail.from(), mail.from());
    }
    return true; // onMail arms the order timer once the pick-up counted it too
  }

  private void show(List<MailOrder.Held<PunchEvent>> released) {
    for (MailOrder.Held<PunchEvent> h : released) {
      events.add(h.value());
    }
  }

  /**
   * A message of {@code nick}'s live session: passed on now, to be recorded and shown. While the pick-up that
   * {@code registered} announced is under way (or mail of {@code nick} is held), it is passed on held: ChatVerticle
   * records it in the history at once (as any live message: what its session acknowledged is journaled as soon)
   * and publishes it when its {@link PunchEvent.Shown} follows, after what the mailbox brings (older).
   */
  void live(String nick, byte[] payload, long now) {
    if (!order.holdsLive(nick, now)) {
      events.add(new PunchEvent.Received(nick, payload)); // the common case: shown as it comes
      return;
    }
    long token = ++liveHeld;
    events.add(new PunchEvent.Received(nick, payload, token)); // recorded now, published at its Shown
    show(order.holdLive(nick, new PunchEvent.Shown(token), payload.length, now)); // empty, or past the bound all
    armOrderTimer();
  }

  /** One timer at the held mail's release: settled, or held for the longest allowed. */
  private void armOrderTimer() {
    vertx.cancelTimer(orderTimer);
    orderTimer = -1;
    long next = order.nextDueNanos();
    if (next != -1) {
      // Named reason: held mailbox messages are shown in their senders' order once the pick-up settles.
      orderTimer = vertx.setTimer(Timing.timerDelayMs(next, System.nanoTime()), t -> {
        orderTimer = -1;
        show(order.due(System.nanoTime()));
        armOrderTimer();
      });
    }
  }

  /** Mail that is not shown is acknowledged all the same (the rendezvous would send it forever), and counted. */
  private void drop(long seq, String reason, String detail) {
    dropped.merge(reason, 1L, Long::sum);
    log.warnRateLimited("mail-" + reason, "dropped mail {} from the mailbox: {} ({})", seq, reason, detail);
    acknowledge(List.of(seq));
  }

  private void onExpired(MailboxControl.Expired notice) {
    String tag = depositIds.open(notice.did(), notice.to()).orElse("");
    String kind = tag.isEmpty() ? "" : tag.substring(0, 1);
    if (kind.equals(DID_DIRECT) || kind.equals(DID_ROOM)) {
      String peer = directory.byIdentity(notice.to()).map(PeerDirectory.Peer::nick).orElse(keyId(notice.to()));
      long days = Math.max(1, Math.round((notice.expiredAt() - notice.at()) / (double) TimeUnit.DAYS.toMillis(1)));
      events.add(new PunchEvent.MailFailed(tag.substring(1), peer, kind.equals(DID_DIRECT),
        "expired in the mailbox after " + Plural.of(days, "day")));
    } else if (kind.equals(DID_RECEIPT)) {
      log.info("a receipt expired in the mailbox of {}", keyId(notice.to()));
    } else {
      log.warnRateLimited("mail-notice", "an expiry notice for a deposit id this node did not make: ignored");
    }
    rendezvous.send(new MailboxControl.Ack(MailboxControl.Type.NOTICE_ACK, List.of(notice.nid())).toJson());
  }

  /**
   * ChatVerticle recorded these {@code seq}s in the history journal (or found them there already): each sender
   * gets a receipt for its chat lines among them, and they are acknowledged to the rendezvous once it is stored
   * (the rest at once).
   */
  void recorded(List<Long> seqs, long now) {
    List<Long> atOnce = new ArrayList<>();
    Map<String, List<Unrecorded>> bySenderAndRoom = new LinkedHashMap<>();
    for (Long seq : seqs) {
      Unrecorded u = unrecorded.remove(seq);
      if (u != null && u.mail().kind() == MailPlaintext.Kind.CHAT) {
        bySenderAndRoom.computeIfAbsent(u.nick() + "\n" + u.mail().room(), k -> new ArrayList<>()).add(u);
      } else {
        atOnce.add(seq);
      }
    }
    acknowledge(atOnce);
    for (List<Unrecorded> batch : bySenderAndRoom.values()) {
      for (int from = 0; from < batch.size(); from += MailPlaintext.MAX_RECEIPT_IDS) {
        List<Unrecorded> chunk = batch.subList(from, Math.min(batch.size(), from + MailPlaintext.MAX_RECEIPT_IDS));
        receipt(chunk, now);
      }
    }
  }

  private void receipt(List<Unrecorded> chunk, long now) {
    Unrecorded first = chunk.get(0);
    String id = DID_RECEIPT + Long.toHexString(++counter);
    byte[] plaintext = MailPlaintext.receipt(options.nick(), id, first.mail().room(), System.currentTimeMillis(),
      counter, chunk.stream().map(u -> u.mail().id()).toList()).encode();
    PeerDirectory.Peer to = new PeerDirectory.Peer(first.nick(), first.identityKey(), first.staticKey(),
      new byte[0], Map.of());
    List<Long> seqs = chunk.stream().map(Unrecorded::seq).toList();
    awaitingReceipt.addAll(seqs);
    enqueue(depositIds.seal(DID_RECEIPT + id, first.identityKey()), to, plaintext,
      new Tag(null, first.nick(), seqs), now);
  }

  private void acknowledge(List<Long> seqs) {
    awaitingReceipt.removeAll(seqs);
    acknowledged.addAll(seqs);
    for (int from = 0; from < seqs.size(); from += MailboxControl.MAX_ACK_IDS) {
      List<Long> chunk = seqs.subList(from, Math.min(seqs.size(), from + MailboxControl.MAX_ACK_IDS));
      rendezvous.send(new MailboxControl.Ack(MailboxControl.Type.MAIL_ACK, new ArrayList<>(chunk)).toJson());
    }
  }

  // ---------------------------------------------------------------- timers, the directory file, stats

  /** Sends every part that is due, and arms the one timer at the next. */
  private void sendDue(long now) {
    for (DepositQueue.Outcome<Tag> given : deposits.unanswered(now,
        TimeUnit.SECONDS.toNanos(options.deliveryDeadlineSeconds()))) {
      // A rendezvous from before the mailbox drops the message it does not know: today's behaviour, failed.
      fail(given.deposit().tag(), "the rendezvous did not answer the deposit within "
        + options.deliveryDeadlineSeconds() + " s (no mailbox there?)");
    }
    for (MailboxControl.DepositPart part : deposits.due(now)) {
      rendezvous.send(part.toJson());
    }
    vertx.cancelTimer(timer);
    timer = -1;
    long next = deposits.nextDueNanos();
    if (next != -1) {
      // Named reason: the next deposit retry (or the next part) of some recipient.
      timer = vertx.setTimer(Timing.timerDelayMs(next, System.nanoTime()), t -> {
        timer = -1;
        sendDue(System.nanoTime());
      });
    }
  }

  private void scheduleSave() {
    if (saveTimer == -1 && directory.dirty()) {
      saveTimer = vertx.setTimer(DIRECTORY_SAVE_MS, t -> {
        saveTimer = -1;
        save();
      });
    }
  }

  private void save() {
    if (directory.dirty()) {
      byte[] content = directory.encode();
      // Ordered on this context's worker queue: the last save completes after every earlier one.
      lastSave = vertx.<Void>executeBlocking(() -> {
        PeerDirectory.save(directory.file(), content);
        return null;
      }).onFailure(e -> log.error("cannot save the peer directory: {}", e.getMessage()));
    }
  }

  /** Cancels the timers and writes what the directory learned since the last save; completes once it is on disk. */
  Future<Void> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(orderTimer);
    vertx.cancelTimer(saveTimer);
    save();
    return lastSave.otherwiseEmpty();
  }

  /** The {@code mailbox} part of {@code punch.stats}. */
  /** Messages queued at the rendezvous since start (monotonic). */
  long queuedTotal() {
    return queuedTotal;
  }

  JsonObject stats() {
    JsonObject drops = new JsonObject();
    dropped.forEach(drops::put);
    return new JsonObject().put("enabled", enabled()).put("waiting", deposits.pending()).put("queued", queuedTotal)
      .put("pickedUp", pickedUp).put("held", order.held()).put("heldLive", order.heldLive()).put("outOfOrder", order.outOfOrder())
      .put("incomplete", assembler.incomplete()).put("dropped", drops)
      .put("peers", directory.size());
  }

  private static String keyId(byte[] identityKey) {
    return HexFormat.of().formatHex(identityKey, 0, KEY_ID_BYTES);
  }

  private static String b64(byte[] key) {
    return Base64.getEncoder().encodeToString(key);
  }
}
