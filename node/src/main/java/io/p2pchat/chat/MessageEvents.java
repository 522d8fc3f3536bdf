package io.p2pchat.chat;

import io.vertx.core.Context;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The three per-message events of a node ({@code chat.sent}, {@code chat.delivered}, {@code chat.received}),
 * each in two forms: the per-message event on its own address, and the batched form on
 * {@code <address>.batch}, {@code {"events": [...]}}, one event per event-loop turn carrying every
 * event of that kind the turn produced, in order (README, "Event-bus API").
 *
 * <p>Each event's body is built once and shared: the object published on the per-message address is
 * the very object the batch carries. Neither is changed once handed here (the event bus copies a
 * {@code JsonObject} for each local consumer, and encodes it for a remote one); it is an {@link EventBody}, whose
 * copies share its fields until a consumer changes its own.
 *
 * <p>The per-message form is published only when {@code perMessage} is true: the node's
 * {@code events.perMessage} key (default true), or a front end of the node's own (console, web UI)
 * that consumes it. Vert.x offers no public "has consumers" test for an address, so the node never
 * guesses: an application subscribed to a per-message address gets every event unless whoever
 * configured the node said that no one does. The batched form is always published (one message per
 * turn and kind). The typed API ({@code ChatClient}) gets every event either way: in the node's own Vert.x
 * instance from the batch's in-process form ({@link LocalEventBatch}: the same list, not copied for each
 * consumer), published only while such a client listens ({@link LocalEventListeners}); on another member of a
 * clustered event bus from the public batch.
 *
 * <p>Lives on its owner's context only.
 */
final class MessageEvents {

  /**
   * Options of every event: the defaults, never changed, so one instance serves all (Vert.x's
   * {@code publish(address, body)} allocates a new one per call).
   */
  private static final DeliveryOptions EVENT = new DeliveryOptions();
  /** Options of the in-process batches ({@link LocalEventBatch}): never beyond this Vert.x instance. */
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /**
   * The fields of each event, in the order they are listed (and encoded); an optional one last, left out by the
   * body's size ({@link EventBody}: one array per shape, shared by every body of it).
   */
  private static final String[] SENT_FIELDS = {"id", "text", "ts", "to"};
  private static final String[] DELIVERED_FIELDS = {"id", "peer"};
  private static final String[] RECEIVED_FIELDS = {"id", "from", "text", "ts", "to"};

  /**
   * One kind of per-message event: its address, its batched form's address, the batch's in-process form's
   * address and this turn's bodies.
   */
  private static final class Kind {
    private final String address;
    private final String batchAddress;
    private final String localAddress;
    private List<Object> turn = new ArrayList<>();

    Kind(String address, String batchAddress, String localAddress) {
      this.address = address;
      this.batchAddress = batchAddress;
      this.localAddress = localAddress;
    }
  }

  private final Context context;
  private final EventBus eventBus;
  private final boolean perMessage;
  private final LocalEventListeners localListeners;
  private final Kind sent;
  private final Kind delivered;
  private final Kind received;
  /** True while a flush is scheduled for the end of this turn. */
  private boolean flushScheduled;

  /**
   * @param perMessage publish each event on its per-message address too (see the class comment)
   */
  MessageEvents(Context context, EventBus eventBus, ChatAddresses addresses, boolean perMessage,
                LocalEventListeners localListeners) {
    this.context = context;
    this.eventBus = eventBus;
    this.perMessage = perMessage;
    this.localListeners = localListeners;
    this.sent = new Kind(addresses.sent(), addresses.sentBatch(), addresses.sentLocal());
    this.delivered = new Kind(addresses.delivered(), addresses.deliveredBatch(), addresses.deliveredLocal());
    this.received = new Kind(addresses.received(), addresses.receivedBatch(), addresses.receivedLocal());
  }

  /** {@code chat.sent} {@code {"id", "text", "ts", "to"?}}. */
  void sent(String id, String to, String text, long ts) {
    emit(sent, new EventBody(SENT_FIELDS, new Object[]{id, text, ts, to}, to == null ? 3 : 4));
  }

  /** {@code chat.delivered} {@code {"id", "peer"}}. */
  void delivered(String id, String peer) {
    emit(delivered, new EventBody(DELIVERED_FIELDS, new Object[]{id, peer}, 2));
  }

  /** {@code chat.received} {@code {"id", "from", "text", "ts", "to"?}} ({@code to}: ours, for a direct message). */
  void received(String id, String from, String to, String text, long ts) {
    emit(received, new EventBody(RECEIVED_FIELDS, new Object[]{id, from, text, ts, to}, to == null ? 4 : 5));
  }

  private void emit(Kind kind, JsonObject body) {
    if (perMessage) {
      eventBus.publish(kind.address, body, EVENT);
    }
    kind.turn.add(body);
    if (!flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> flush());
    }
  }

  /** The end of the turn: one batched event per kind that had any. */
  private void flush() {
    flushScheduled = false;
    publishBatch(sent);
    publishBatch(delivered);
    publishBatch(received);
  }

  private void publishBatch(Kind kind) {
    if (kind.turn.isEmpty()) {
      return;
    }
    List<Object> events = kind.turn;
    kind.turn = new ArrayList<>(events.size());
    // The same list in both forms: neither changes it (Vert.x copies the public one for each consumer).
    if (localListeners.any(kind.localAddress)) {
      eventBus.publish(kind.localAddress, new LocalEventBatch(events), LOCAL);
    }
    eventBus.publish(kind.batchAddress, new JsonObject().put(ChatAddresses.BATCH_EVENTS, new JsonArray(events)), EVENT);
  }
}
