package io.p2pchat.chat;

import io.p2pchat.common.Plural;
import io.p2pchat.history.HistoryEntry;
import io.p2pchat.history.HistoryOptions;
import io.p2pchat.history.HistoryStore;
import io.p2pchat.common.NodeLog;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.node.NodeStage;
import io.p2pchat.punch.LocalCodec;
import io.p2pchat.punch.OutboundBatch;
import io.p2pchat.punch.OutboundChat;
import io.p2pchat.punch.PunchEvent;
import io.p2pchat.punch.PunchEventBatch;
import io.p2pchat.punch.TurnBatch;
import io.p2pchat.wire.ChatPayload;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Chat semantics of one node: validates what front ends send, gives each message its id and
 * timestamp, hands it to PunchVerticle for the room or one peer, publishes what was sent and
 * received, and keeps the history. Front ends (console, web UI, other verticles) use only the
 * public addresses of {@link ChatAddresses}.
 */
public class ChatVerticle extends NodeStage {

  /** Messages returned when a history query names no limit: a screenful or two. */
  static final int DEFAULT_HISTORY_LIMIT = 100;
  /**
   * Texts one {@code chat.send} may carry: a hundred datagrams' worth of short messages (~8 per
   * datagram) per request, and no more than a peer's send window (1024 fragments) holds, so the
   * single reply, which waits for all of them, comes within one window's drain.
   */
  static final int MAX_BATCH_TEXTS = RequestSchema.MAX_ARRAY;
  /** {@code chat.send}: {@code {"text"}} or {@code {"texts"}} (exactly one), {@code "to"?}. */
  static final RequestSchema SEND = RequestSchema.optional(false,
    "text", RequestSchema.Kind.STRING, "texts", RequestSchema.Kind.STRING_ARRAY, "to", RequestSchema.Kind.NICK);
  /** {@code history}: both fields optional, a null body is {@code {}}. */
  static final RequestSchema HISTORY = RequestSchema.optional(true,
    "peer", RequestSchema.Kind.NICK, "limit", RequestSchema.Kind.POSITIVE_INT);
  /**
   * Options of the events published here ({@code chat.queued}, {@code chat.failed}; {@link MessageEvents} has the
   * per-message ones): the defaults, never changed, so one instance serves all
   * (Vert.x's {@code publish(address, body)} allocates a new one per call).
   */
  private static final DeliveryOptions EVENT = new DeliveryOptions();
  /**
   * How long message log lines may wait to be written: short next to a person reading the log,
   * long enough that a flood of tens of thousands of messages per second logs ~10 lines a second
   * per conversation rather than one per event-loop turn.
   */
  private static final long LOG_LINES_MS = 100;
  /** Ids one set of lines may name before they are written at once: bounds the line length and memory. */
  private static final int LOG_LINES_MAX_IDS = 10_000;
  /**
   * How far past the moment a message reached this node its sender's timestamp may be ({@link #receivedTs}): 60 s.
   * Clocks set by NTP (every desktop and phone OS by default) agree within a second, and one left to drift (a
   * quartz clock gains or loses a second or two a day) or set by hand is still within a minute for weeks, so an
   * honest peer's lines keep the times its user saw. A clock further ahead, or a peer lying (ts = year 3000), gets
   * its line listed as if sent a minute after it came: below at most a minute of what others said next, not below
   * everything said after it forever (the history lists by ts).
   */
  static final long CLOCK_SKEW_ALLOWANCE_MS = 60_000;

  private final NodeOptions options;
  /** This node's clock, ms since the epoch: {@code System::currentTimeMillis}, or a test's. */
  private final LongSupplier clock;
  /** Distinguishes this run's message ids from an earlier run's. */
  private final String idPrefix = Long.toHexString(new SecureRandom().nextLong() >>> 16);
  private ChatAddresses addresses;
  private NodeLog log;
  private HistoryStore history;
  private long nextId;
  /** Messages for PunchVerticle, one hand-off per event-loop turn. */
  private TurnBatch<OutboundChat> outbox;
  /** chat.sent, chat.delivered, chat.received, each per message and batched per turn. */
  private MessageEvents events;
  private final MessageLog messageLog = new MessageLog();
  /**
   * Live messages recorded but not yet published, by their {@link PunchEvent.Received#held} number, until their
   * {@link PunchEvent.Shown}: as many as PunchVerticle's MailOrder holds (at most 256, 256 KiB).
   */
  private final java.util.Map<Long, Runnable> unpublished = new java.util.HashMap<>();
  /** How the log names the room: "room NAME". */
  private String roomLogName;
  /** Why a room message sent while no member is known reached nobody: "nobody else in room NAME". */
  private String nobodyInRoom;
  /** The timer that writes the pending message log lines, or -1. */
  private long logLinesTimer = -1;
  /**
   * {@code chat.send} is served and has a transport: from {@link #openSends()} until PunchVerticle says it stops
   * ({@link PunchEvent.Stopping}); a request is refused ({@code UNAVAILABLE}) before and after.
   */
  private boolean sendsOpen;
  /**
   * Head of the ring of {@code chat.send} requests handed to PunchVerticle and not answered yet: what it never took
   * (waiting behind a full window when it stopped, or handed over once it had stopped) is refused by {@link #stop},
   * so no request is left unanswered.
   */
  private final SendRequest unanswered = new SendRequest(null, null, 0);

  /**
   * What this verticle keeps of a message handed to PunchVerticle, as the {@link OutboundChat}'s
   * origin: the request it came in, and what the history and the events need once it is accepted.
   */
  private record PendingSend(SendRequest request, String text, long ts, int bytes) {
  }

  /**
   * The origin of a message sent again after a restart (docs/PROTOCOL.md, "Mailbox"): its history entry exists,
   * nobody waits for a reply, its outcome only changes its state.
   */
  private static final Object RESUMED = new Object();
  /**
   * Unfinished messages a restarted node sends again: as many as a peer's mailbox takes from one depositor by
   * default (10 000), so nothing the mailbox could hold is left behind.
   */
  static final int MAX_RESUMED = 10_000;

  /**
   * One {@code chat.send} request, one text or a batch: its reply (the user's "accepted") goes out
   * when PunchVerticle took every message of it, in order, so the batch shares one back-pressure
   * wait; the first refusal fails it (messages accepted before still go out, with their events).
   * Until then it is in a ring of the requests not answered yet ({@link #unanswered}): linked in
   * place, so keeping it there costs no allocation and O(1), whatever the request rate.
   */
  private static final class SendRequest {
    private final Message<Object> msg;
    /** The batch's ids in order, or null for a single text (replied as {"id"}). */
    private final JsonArray ids;
    private String singleId;
    private int waiting;
    /** Its neighbours in the ring of unanswered requests; itself when in none (or the ring's head). */
    private SendRequest previous = this;
    private SendRequest next = this;

    SendRequest(Message<Object> msg, JsonArray ids, int messages) {
      this.msg = msg;
      this.ids = ids;
      this.waiting = messages;
    }

    /** Joins the ring whose head is {@code head}, at its end. */
    void waitIn(SendRequest head) {
      previous = head.previous;
      next = head;
      head.previous.next = this;
      head.previous = this;
    }

    /** Leaves its ring: answered. */
    private void answered() {
      previous.next = next;
      next.previous = previous;
      previous = this;
      next = this;
    }

    void add(String id) {
      if (ids == null) {
        singleId = id;
      } else {
        ids.add(id);
      }
    }

    void accepted() {
      if (--waiting == 0) {
        answered();
        msg.reply(ids == null ? new JsonObject().put("id", singleId) : new JsonObject().put("ids", ids));
      }
    }

    /**
     * PunchVerticle takes a request's messages in order in one turn, so a refused text and every
     * text after it are refused (a full queue stays full within the turn, a nick is the same for
     * all); the ones before it were taken and are sent.
     */
    void refused(String id, int code, String reason) {
      refusedFrom(ids == null ? 0 : ids.getList().indexOf(id), code, reason);
    }

    /** Nothing of it left to take: the texts PunchVerticle has not accepted yet are refused. */
    void refusedRest(int code, String reason) {
      refusedFrom(ids == null ? 0 : ids.size() - waiting, code, reason);
    }

    /** Its text {@code index} and every one after it are refused (those are never sent); it is answered. */
    private void refusedFrom(int index, int code, String reason) {
      if (waiting > 0) {
        waiting = 0;
        answered();
        msg.fail(code, ids == null ? reason : "texts[" + index + "] and after not accepted: " + reason
          + (index > 0 ? " (the " + index + " before it are sent)" : ""));
      }
    }
  }

  public ChatVerticle(NodeOptions options) {
    this(options, System::currentTimeMillis);
  }

  /** With {@code clock} as this node's clock (ms since the epoch), for tests that need time to pass. */
  ChatVerticle(NodeOptions options, LongSupplier clock) {
    this.options = options;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    addresses = new ChatAddresses(options.eventBusPrefix());
    roomLogName = "room " + options.room();
    nobodyInRoom = "nobody else in room " + options.room();
    log = NodeLog.of(ChatVerticle.class, options.nick(), options.logDir());
    LocalCodec.register(vertx, OutboundBatch.class);
    LocalCodec.register(vertx, PunchEventBatch.class);
    LocalCodec.register(vertx, LocalEventBatch.class);
    outbox = new TurnBatch<>(context, vertx.eventBus(), addresses.punchSend(), OutboundBatch::new);
    // The console and the web UI consume the per-message forms: a node serving either publishes them
    // whatever events.perMessage says.
    events = new MessageEvents(context, vertx.eventBus(), addresses,
      options.eventsPerMessage() || options.console() || options.httpEnabled(), LocalEventListeners.of(vertx));
    // Opening the journal reads and checks it from disk: a worker's job. The addresses are served
    // only once it is open: a request before then finds no handler rather than a half-started node.
    // PunchVerticle is deployed under this verticle once it started (ChatNodeVerticle), so whatever a peer
    // sends from the moment the socket is up finds the punch.events consumer here, and it stops before this
    // verticle's stop begins, so the consumer outlives its last hand-over (a message acknowledged to its
    // sender is never dropped for want of a receiver); chat.send is served from openSends(), once
    // PunchVerticle is there to take what it accepts.
    return vertx.executeBlocking(() -> HistoryStore.open(options.dataDir(), new HistoryOptions(),
        NodeLog.of(HistoryStore.class, options.nick(), options.logDir())))
      .compose(store -> {
        // A torn tail cut at opening is logged by the store (once, with the journal's path).
        history = store;
        return Future.all(
          // Internal: PunchVerticle of this node only, never across a clustered event bus.
          vertx.eventBus().<PunchEventBatch>localConsumer(addresses.punchEvents(), msg -> onPunchEvents(msg.body()))
            .completion(),
          vertx.eventBus().<Object>consumer(addresses.history(), this::onHistory).completion());
      });
  }

  /**
   * Starts serving {@code chat.send}: called by the node once its PunchVerticle is deployed, so an
   * accepted message always has a PunchVerticle to go to. The consumer is registered on this
   * verticle's own context, whichever thread asks.
   */
  public Future<Void> openSends() {
    Promise<Void> served = Promise.promise();
    context.runOnContext(v -> {
      sendsOpen = true;
      vertx.eventBus().<Object>consumer(addresses.send(), this::onSend).completion()
        .onSuccess(ok -> resume())
        .onComplete(served);
    });
    return served.future();
  }

  /**
   * Runs once PunchVerticle, deployed under this verticle, has stopped and handed everything over: the journal
   * closes with all of it.
   */
  @Override
  public Future<?> stop() {
    sendsOpen = false;
    // PunchVerticle handed over all it took: the rest was not sent, and its requests are answered so.
    while (unanswered.next != unanswered) {
      unanswered.next.refusedRest(FailureCodes.UNAVAILABLE, PunchEvent.Stopping.REASON);
    }
    messageLog.writeTo(log);
    return history == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      history.close();
      return null;
    });
  }

  private void onSend(Message<Object> msg) {
    if (!SEND.admit(msg)) {
      return;
    }
    if (!sendsOpen) {
      // The node stops: its transport takes nothing more, and nothing accepted now would be sent.
      msg.fail(FailureCodes.UNAVAILABLE, PunchEvent.Stopping.REASON);
      return;
    }
    JsonObject body = (JsonObject) msg.body();
    String to = (String) body.getValue("to");
    Object text = body.getValue("text");
    Object batch = body.getValue("texts");
    if ((text == null) == (batch == null)) {
      msg.fail(FailureCodes.BAD_REQUEST, text == null ? "text or texts is required" : "give text or texts, not both");
      return;
    }
    if (options.nick().equals(to)) {
      msg.fail(FailureCodes.BAD_REQUEST, "that is you: pick another peer");
      return;
    }
    List<?> texts = batch != null ? ((JsonArray) batch).getList() : Collections.singletonList(text);
    // Every text is checked before any is sent: a refused request sends nothing. An ASCII text (most chat) is its
    // own UTF-8, one byte a char: it is measured and later encoded from its chars, with no UTF-8 array in between
    // (ChatPayload.utf8UnlessAscii, null for it).
    byte[][] utf8 = new byte[texts.size()][];
    int[] utf8Lengths = new int[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      String one = (String) texts.get(i);
      if (one.isBlank()) {
        msg.fail(FailureCodes.BAD_REQUEST, where(batch, i) + "empty text: nothing to send");
        return;
      }
      utf8[i] = ChatPayload.utf8UnlessAscii(one);
      utf8Lengths[i] = ChatPayload.utf8Length(one, utf8[i]);
      if (utf8Lengths[i] > ChatPayload.MAX_TEXT_BYTES) {
        msg.fail(FailureCodes.TOO_LARGE, where(batch, i) + "text of " + utf8Lengths[i] + " bytes is longer than "
          + ChatPayload.MAX_TEXT_BYTES);
        return;
      }
    }
    SendRequest request = new SendRequest(msg, batch == null ? null : new JsonArray(new ArrayList<>(utf8.length)),
      utf8.length);
    request.waitIn(unanswered);
    long ts = clock.getAsLong();
    for (int i = 0; i < utf8.length; i++) {
      String id = idPrefix + "-" + (++nextId);
      String one = (String) texts.get(i);
      request.add(id);
      byte[] payload = ChatPayload.encode(to != null, ts, id, one, utf8[i]);
      outbox.add(new OutboundChat(id, to, payload, new PendingSend(request, one, ts, utf8Lengths[i])));
    }
  }

  /**
   * What an earlier run accepted and never finished: SENDING messages are sent again (to the peer's session, or
   * its mailbox), QUEUED ones wait for their receipt, which comes whenever the peer picks them up.
   */
  private void resume() {
    int resent = 0;
    for (HistoryEntry e : history.unfinished(MAX_RESUMED)) {
      if (e.state() == HistoryEntry.State.SENDING) {
        outbox.add(new OutboundChat(e.id(), e.peer(),
          new ChatPayload(e.peer() != null, e.ts(), e.id(), e.text()).encode(), RESUMED));
        resent++;
      }
    }
    if (resent > 0) {
      log.info("history: sending again {} an earlier run accepted and did not deliver", Plural.of(resent, "message"));
    }
  }

  /** Which text a refusal is about: nothing for the one-text form, {@code texts[i]: } in a batch. */
  private static String where(Object batch, int i) {
    return batch == null ? "" : "texts[" + i + "]: ";
  }

  /** One turn of PunchVerticle's news, in order; its log lines are scheduled at the end. */
  private void onPunchEvents(PunchEventBatch batch) {
    // When the messages of this batch reached this node: one clock read per batch (one PunchVerticle turn, far
    // shorter than CLOCK_SKEW_ALLOWANCE_MS), not one per message.
    long receivedAt = clock.getAsLong();
    for (PunchEvent event : batch.events()) {
      if (event instanceof PunchEvent.Accepted accepted) {
        if (accepted.chat().origin() != RESUMED) {
          onAccepted(accepted);
        }
      } else if (event instanceof PunchEvent.Stopping) {
        sendsOpen = false;
      } else if (event instanceof PunchEvent.Rejected rejected) {
        if (rejected.chat().origin() != RESUMED) {
          ((PendingSend) rejected.chat().origin()).request.refused(rejected.chat().id(), rejected.code(),
            rejected.reason());
        } else if (sendsOpen) {
          failed(rejected.chat().id(), rejected.chat().to(), rejected.chat().to(), rejected.reason());
        } // else refused as the node stops: still unfinished in the history, sent again at the next start
      } else if (event instanceof PunchEvent.Queued queued) {
        history.updateState(queued.chat().id(), queued.chat().to(), HistoryEntry.State.QUEUED);
        vertx.eventBus().publish(addresses.queued(),
          new JsonObject().put("id", queued.chat().id()).put("peer", queued.peer()), EVENT);
      } else if (event instanceof PunchEvent.Mail mail) {
        onMail(mail, receivedAt);
      } else if (event instanceof PunchEvent.MailFailed failed) {
        failed(failed.id(), failed.direct() ? failed.peer() : null, failed.peer(), failed.reason());
      } else if (event instanceof PunchEvent.Received received) {
        onReceived(received, receivedAt);
      } else if (event instanceof PunchEvent.Shown shown) {
        Runnable publish = unpublished.remove(shown.held());
        if (publish != null) {
          publish.run();
        }
      } else if (event instanceof PunchEvent.Delivered delivered) {
        OutboundChat chat = delivered.chat();
        history.updateState(chat.id(), chat.to(), HistoryEntry.State.DELIVERED);
        events.delivered(chat.id(), delivered.peer());
      } else if (event instanceof PunchEvent.Failed failed) {
        failed(failed.chat().id(), failed.chat().to(), failed.peer(), failed.reason());
      }
    }
    scheduleLogLines();
  }

  /** Our message {@code id} (in conversation {@code conversation}, null: the room) will not reach {@code peer}. */
  private void failed(String id, String conversation, String peer, String reason) {
    history.updateState(id, conversation, HistoryEntry.State.FAILED);
    messageLog.failed(id, peer, reason);
    JsonObject event = new JsonObject().put("id", id).put("reason", reason);
    if (peer != null) {
      event.put("peer", peer);
    }
    vertx.eventBus().publish(addresses.failed(), event, EVENT);
  }

  /**
   * A message from our mailbox: a chat line is shown once (an id already in the history is a copy: the rendezvous
   * sent it again, or it came directly too), a receipt marks our messages delivered. Either is acknowledged to the
   * rendezvous only once the journal holds it, so a crash before then gets it sent again. {@code receivedAt}: when
   * it reached this node (ms since the epoch).
   */
  private void onMail(PunchEvent.Mail mail, long receivedAt) {
    io.p2pchat.mailbox.MailPlaintext m = mail.mail();
    String conversation = m.direct() ? mail.from() : null;
    if (m.kind() == io.p2pchat.mailbox.MailPlaintext.Kind.RECEIPT) {
      for (String id : m.ids()) {
        HistoryEntry ours = history.outgoing(id);
        if (ours != null && ours.state() != HistoryEntry.State.DELIVERED
            && (ours.peer() == null ? !m.direct() : ours.peer().equals(mail.from()))) {
          history.updateState(id, conversation, HistoryEntry.State.DELIVERED);
          events.delivered(id, mail.from());
        }
      }
    } else if (!m.direct() && !m.room().equals(options.room())) {
      log.info("mail from {} for room {}, not ours ({}): dropped", mail.from(), m.room(), options.room());
    } else if (history.hasIncoming(conversation, mail.from(), m.id())) {
      log.debug("mail {} from {} shown before: dropped", m.id(), mail.from());
    } else {
      show(m.id(), mail.from(), m.direct(), m.text(), receivedTs(m.ts(), receivedAt));
    }
    long seq = mail.seq();
    history.synced().thenRun(() -> vertx.eventBus().send(addresses.punchMailRecorded(),
      new JsonObject().put("seqs", new JsonArray().add(seq))));
  }

  /**
   * Message log lines go out every LOG_LINES_MS (or at once past LOG_LINES_MAX_IDS ids) rather
   * than per event-loop turn: a flood then logs a few lines per interval, each naming every id.
   */
  private void scheduleLogLines() {
    if (messageLog.pending() >= LOG_LINES_MAX_IDS) {
      messageLog.writeTo(log);
    } else if (messageLog.pending() > 0 && logLinesTimer == -1) {
      logLinesTimer = vertx.setTimer(LOG_LINES_MS, t -> {
        logLinesTimer = -1;
        messageLog.writeTo(log);
      });
    }
  }

  /**
   * Every target took the message. A room message with no target reached nobody: it is recorded
   * FAILED and its {@code chat.failed} (without {@code peer}) follows its {@code chat.sent}.
   */
  private void onAccepted(PunchEvent.Accepted accepted) {
    String id = accepted.chat().id();
    String to = accepted.chat().to();
    PendingSend send = (PendingSend) accepted.chat().origin();
    boolean nobody = accepted.peers() == 0;
    history.append(new HistoryEntry(id, HistoryEntry.Direction.OUT, to, options.nick(),
      to != null ? to : options.room(), send.text, send.ts,
      nobody ? HistoryEntry.State.FAILED : HistoryEntry.State.SENDING));
    messageLog.sent(id, to == null ? roomLogName : to, send.bytes);
    events.sent(id, to, send.text, send.ts);
    if (nobody) {
      messageLog.failed(id, roomLogName, nobodyInRoom);
      vertx.eventBus().publish(addresses.failed(), new JsonObject().put("id", id).put("reason", nobodyInRoom), EVENT);
    }
    send.request.accepted();
  }

  /**
   * A message of a peer's session, which reached this node at {@code receivedAt} (ms since the epoch): shown once, as
   * mail is ({@link #onMail}); a copy of one in the history (its sender sent it again: our acknowledgement was lost,
   * or came after it restarted) is dropped. Its session acknowledged it already.
   */
  private void onReceived(PunchEvent.Received inbound, long receivedAt) {
    ChatPayload payload;
    try {
      payload = ChatPayload.decode(inbound.payload());
    } catch (WireException e) {
      log.warnRateLimited("bad-payload", "dropped a message from {}: {}", inbound.from(), e.getMessage());
      return;
    }
    String from = inbound.from();
    if (history.hasIncoming(payload.direct() ? from : null, from, payload.id())) {
      // Sent again: its sender restarted, or its session failed, before our acknowledgement reached it.
      log.debug("message {} from {} shown before: dropped", payload.id(), from);
      return;
    }
    long ts = receivedTs(payload.ts(), receivedAt);
    if (inbound.held() != 0) {
      // Recorded now, as any message its session acknowledged; published after the pick-up's older mail.
      record(payload.id(), from, payload.direct(), payload.text(), ts);
      String id = payload.id();
      String to = payload.direct() ? options.nick() : null;
      String text = payload.text();
      unpublished.put(inbound.held(), () -> events.received(id, from, to, text, ts));
      return;
    }
    show(payload.id(), from, payload.direct(), payload.text(), ts);
  }

  /**
   * The ts of a message from a peer (its session or our mailbox) that reached this node at {@code receivedAt}, as
   * the history and {@code chat.received} (so the console, the web UI and {@code ChatClient}) all have it: the
   * sender's {@code senderTs}, never later than {@code receivedAt + CLOCK_SKEW_ALLOWANCE_MS}. An older one is kept
   * as sent (mail picked up hours later is old).
   */
  static long receivedTs(long senderTs, long receivedAt) {
    return Math.min(senderTs, receivedAt + CLOCK_SKEW_ALLOWANCE_MS);
  }

  /** A message from a peer (its session, or our mailbox): into the history, the log and {@code chat.received}. */
  private void show(String id, String from, boolean direct, String text, long ts) {
    record(id, from, direct, text, ts);
    events.received(id, from, direct ? options.nick() : null, text, ts);
  }

  /** Into the history and the log. */
  private void record(String id, String from, boolean direct, String text, long ts) {
    history.append(new HistoryEntry(id, HistoryEntry.Direction.IN, direct ? from : null,
      from, direct ? options.nick() : options.room(), text, ts, HistoryEntry.State.DELIVERED));
    messageLog.received(id, from, direct, text.length());
  }


  private void onHistory(Message<Object> msg) {
    if (!HISTORY.admit(msg)) {
      return;
    }
    JsonObject query = msg.body() == null ? new JsonObject() : (JsonObject) msg.body();
    String peer = query.getString("peer");
    int limit = ((Number) query.getValue("limit", DEFAULT_HISTORY_LIMIT)).intValue();
    JsonArray messages = new JsonArray();
    List<HistoryEntry> entries = peer == null ? history.recentAll(limit) : history.recent(peer, limit);
    for (HistoryEntry e : entries) {
      JsonObject m = new JsonObject().put("id", e.id()).put("from", e.from()).put("text", e.text()).put("ts", e.ts())
        .put("direction", e.direction() == HistoryEntry.Direction.IN ? "in" : "out")
        .put("state", e.state().name().toLowerCase());
      if (e.peer() != null) {
        m.put("to", e.direction() == HistoryEntry.Direction.IN ? options.nick() : e.peer());
      }
      messages.add(m);
    }
    msg.reply(new JsonObject().put("messages", messages));
  }
}
