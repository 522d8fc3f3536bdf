package io.p2pchat.chat;

import io.p2pchat.history.HistoryEntry;
import io.p2pchat.history.HistoryOptions;
import io.p2pchat.history.HistoryStore;
import io.p2pchat.node.NodeLog;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.punch.InboundChat;
import io.p2pchat.punch.LocalCodec;
import io.p2pchat.punch.OutboundChat;
import io.p2pchat.wire.ChatPayload;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chat semantics of one node: validates what front ends send, gives each message its id and
 * timestamp, hands it to PunchVerticle for the room or one peer, publishes what was sent and
 * received, and keeps the history. Front ends (console, web UI, other verticles) use only the
 * public addresses of {@link ChatAddresses}.
 */
public class ChatVerticle extends VerticleBase {

  /** Messages returned when a history query names no limit: a screenful or two. */
  static final int DEFAULT_HISTORY_LIMIT = 100;
  /** Sent messages whose outcome can still update the history: more than a send window holds. */
  private static final int OUTCOMES_TRACKED = 20_000;

  private final NodeOptions options;
  /** Distinguishes this run's message ids from an earlier run's. */
  private final String idPrefix = Long.toHexString(new SecureRandom().nextLong() >>> 16);
  private ChatAddresses addresses;
  private NodeLog log;
  private HistoryStore history;
  private long nextId;
  /** The conversation (peer, or null for the room) of recent sent messages, for their outcomes. */
  private final Map<String, String> conversationOf = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > OUTCOMES_TRACKED;
    }
  };

  public ChatVerticle(NodeOptions options) {
    this.options = options;
  }

  @Override
  public Future<?> start() {
    addresses = new ChatAddresses(options.eventBusPrefix());
    log = NodeLog.of(ChatVerticle.class, options.nick(), options.logDir());
    LocalCodec.register(vertx, OutboundChat.class);
    LocalCodec.register(vertx, InboundChat.class);
    vertx.eventBus().<Object>consumer(addresses.send(), this::onSend);
    vertx.eventBus().<InboundChat>consumer(addresses.punchReceived(), msg -> onReceived(msg.body()));
    vertx.eventBus().<JsonObject>consumer(addresses.delivered(), msg -> onOutcome(msg.body(), "delivered"));
    vertx.eventBus().<JsonObject>consumer(addresses.failed(), msg -> onOutcome(msg.body(), "failed"));
    vertx.eventBus().<Object>consumer(addresses.history(), this::onHistory);
    // Opening the journal reads and checks it from disk: a worker's job.
    return vertx.executeBlocking(() -> HistoryStore.open(options.dataDir(), new HistoryOptions()))
      .onSuccess(store -> {
        history = store;
        if (store.truncatedBytes() > 0) {
          log.warn("history: cut {} bytes of a torn last record (a crash mid-write); {} records kept",
            store.truncatedBytes(), store.recoveredRecords());
        }
      });
  }

  @Override
  public Future<?> stop() {
    return history == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      history.close();
      return null;
    });
  }

  private void onSend(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject)) {
      msg.fail(400, "send expects a JSON object {\"text\", \"to\"?}");
      return;
    }
    JsonObject body = (JsonObject) msg.body();
    Object text = body.getValue("text");
    Object to = body.getValue("to");
    if (!(text instanceof String) || ((String) text).isBlank()) {
      msg.fail(400, "empty text: nothing to send");
      return;
    }
    int size = ((String) text).getBytes(StandardCharsets.UTF_8).length;
    if (size > ChatPayload.MAX_TEXT_BYTES) {
      msg.fail(413, "text of " + size + " bytes is longer than " + ChatPayload.MAX_TEXT_BYTES);
      return;
    }
    if (to != null && (!(to instanceof String) || !Control.NICK_PATTERN.matcher((String) to).matches())) {
      msg.fail(404, "unknown nick: " + to);
      return;
    }
    if (options.nick().equals(to)) {
      msg.fail(400, "that is you: pick another peer");
      return;
    }
    String id = idPrefix + "-" + (++nextId);
    long ts = System.currentTimeMillis();
    ChatPayload payload = new ChatPayload(to != null, ts, id, (String) text);
    vertx.eventBus().<JsonObject>request(addresses.punchSend(), new OutboundChat(id, (String) to, payload.encode()))
      .onSuccess(accepted -> {
        JsonObject sent = new JsonObject().put("id", id).put("text", text).put("ts", ts);
        if (to != null) {
          sent.put("to", to);
        }
        conversationOf.put(id, (String) to);
        history.append(new HistoryEntry(id, HistoryEntry.Direction.OUT, (String) to, options.nick(),
          to != null ? (String) to : options.room(), (String) text, ts,
          accepted.body().getInteger("peers", 0) == 0 ? HistoryEntry.State.DELIVERED : HistoryEntry.State.SENDING));
        log.info("sent {} to {}: {} bytes", id, to == null ? "room " + options.room() : to, size);
        vertx.eventBus().publish(addresses.sent(), sent);
        msg.reply(new JsonObject().put("id", id));
      })
      .onFailure(e -> msg.fail(e instanceof ReplyException ? ((ReplyException) e).failureCode() : 500, e.getMessage()));
  }

  private void onReceived(InboundChat inbound) {
    ChatPayload payload;
    try {
      payload = ChatPayload.decode(inbound.payload());
    } catch (WireException e) {
      log.warnRateLimited("bad-payload", "dropped a message from {}: {}", inbound.from(), e.getMessage());
      return;
    }
    JsonObject received = new JsonObject()
      .put("id", payload.id())
      .put("from", inbound.from())
      .put("text", payload.text())
      .put("ts", payload.ts());
    if (payload.direct()) {
      received.put("to", options.nick());
    }
    history.append(new HistoryEntry(payload.id(), HistoryEntry.Direction.IN, payload.direct() ? inbound.from() : null,
      inbound.from(), payload.direct() ? options.nick() : options.room(), payload.text(), payload.ts(),
      HistoryEntry.State.DELIVERED));
    log.info("received {} from {}{}: {} chars", payload.id(), inbound.from(), payload.direct() ? " (private)" : "",
      payload.text().length());
    vertx.eventBus().publish(addresses.received(), received);
  }

  private void onOutcome(JsonObject event, String state) {
    String id = event.getString("id");
    if (id != null && conversationOf.containsKey(id)) {
      // A room message counts as failed when any peer failed to acknowledge it.
      history.updateState(id, conversationOf.get(id),
        state.equals("failed") ? HistoryEntry.State.FAILED : HistoryEntry.State.DELIVERED);
      if (state.equals("failed")) {
        conversationOf.remove(id);
      }
    }
    if (state.equals("failed")) {
      log.warn("message {} not delivered to {}: {}", event.getString("id"), event.getString("peer"),
        event.getString("reason"));
    }
  }

  private void onHistory(Message<Object> msg) {
    JsonObject query = msg.body() instanceof JsonObject ? (JsonObject) msg.body() : new JsonObject();
    Object peer = query.getValue("peer");
    Object limit = query.getValue("limit", DEFAULT_HISTORY_LIMIT);
    if ((peer != null && !(peer instanceof String)) || !(limit instanceof Integer) || (Integer) limit < 1) {
      msg.fail(400, "history expects {\"peer\"?: nick, \"limit\"?: positive integer}");
      return;
    }
    JsonArray messages = new JsonArray();
    List<HistoryEntry> entries = peer == null ? history.recentAll((Integer) limit)
      : history.recent((String) peer, (Integer) limit);
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
