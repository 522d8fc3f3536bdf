package io.p2pchat.client.impl;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.chat.LocalEventBatch;
import io.p2pchat.chat.LocalEventListeners;
import io.p2pchat.client.ChatClient;
import io.p2pchat.client.Delivery;
import io.p2pchat.client.DeliveryFailure;
import io.p2pchat.client.Queued;
import io.p2pchat.client.HistoryMessage;
import io.p2pchat.client.HistoryQuery;
import io.p2pchat.client.NodeInfo;
import io.p2pchat.client.PeerInfo;
import io.p2pchat.client.PeerState;
import io.p2pchat.client.ReceivedMessage;
import io.p2pchat.client.SentMessage;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link ChatClient} over the node's JSON event-bus API: requests map to {@code request}s on its
 * addresses ({@link ChatAddresses}), handlers to consumers of its events. Nothing here interprets
 * chat beyond turning JSON into records and back.
 */
public final class ChatClientImpl implements ChatClient {

  /**
   * How long {@link #ready()} and {@link #awaitPeer} wait before asking again while no node listens
   * on the prefix (NO_HANDLERS: it is still being deployed). A node deploys in a few hundred
   * milliseconds, so a waiting caller learns of it within a fifth of that; and an idle retry costs one
   * local event-bus lookup, which is nothing at 10 a second.
   */
  static final long NOT_DEPLOYED_RETRY_MS = 100;

  private final Vertx vertx;
  private final ChatAddresses addresses;
  /**
   * Keys of the handlers of one batched address: its per-message handler and its batch handler, each
   * with a consumer of its own.
   */
  private static final String EACH = "#each";
  private static final String LIST = "#list";

  /** The subscription behind each handler, by address (a batched address: with {@link #EACH} or {@link #LIST}); guarded by {@code this}. */
  private final Map<String, Subscription> handlers = new HashMap<>();
  /** Who listens to the nodes' in-process batches in this Vert.x instance (this client counts itself there). */
  private final LocalEventListeners localListeners;
  /** What {@link #ready()} and {@link #awaitPeer} still wait for; guarded by {@code this}. */
  private final Set<Waiter<?>> waiters = new HashSet<>();
  private boolean closed;

  /** A client of the node on {@code eventBusPrefix}. */
  public ChatClientImpl(Vertx vertx, String eventBusPrefix) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.addresses = new ChatAddresses(Objects.requireNonNull(eventBusPrefix, "eventBusPrefix"));
    this.localListeners = LocalEventListeners.of(vertx);
  }

  @Override
  public String eventBusPrefix() {
    return addresses.prefix();
  }

  @Override
  public Future<String> send(String text) {
    return send(null, text);
  }

  @Override
  public Future<String> send(String to, String text) {
    Objects.requireNonNull(text, "text");
    JsonObject body = Checks.putIfSet(new JsonObject().put("text", text), "to", to);
    return request(addresses.send(), body).map(reply -> reply.getString("id"));
  }

  @Override
  public Future<List<String>> send(List<String> texts) {
    return send(null, texts);
  }

  @Override
  public Future<List<String>> send(String to, List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    JsonObject body = Checks.putIfSet(new JsonObject().put("texts", new JsonArray(new ArrayList<>(texts))), "to", to);
    return request(addresses.send(), body).map(reply -> list(reply.getJsonArray("ids"), String.class::cast));
  }

  @Override
  public Future<List<PeerInfo>> peers() {
    return request(addresses.peers(), new JsonObject())
      .map(reply -> list(reply.getJsonArray("peers"), entry -> new PeerInfo((JsonObject) entry)));
  }

  @Override
  public Future<List<HistoryMessage>> history(HistoryQuery query) {
    Objects.requireNonNull(query, "query");
    return request(addresses.history(), query.toJson())
      .map(reply -> list(reply.getJsonArray("messages"), entry -> new HistoryMessage((JsonObject) entry)));
  }

  @Override
  public Future<NodeInfo> info() {
    return request(addresses.node(), new JsonObject()).map(NodeInfo::new);
  }

  /** Subscribes to the rendezvous state first, then asks the node; each "up" event asks it again. */
  @Override
  public Future<NodeInfo> ready() {
    Supplier<Future<NodeInfo>> registered = () -> info().map(info -> info.registered() ? info : null);
    return await(addresses.rendezvousState(), registered,
      event -> NodeInfo.UP.equals(event.getString("state")) ? registered.get() : null);
  }

  /** Subscribes to peer states first, then asks for the peers: a path set up in between is not missed. */
  @Override
  public Future<PeerState> awaitPeer(String nick) {
    Objects.requireNonNull(nick, "nick");
    Supplier<Future<PeerState>> listed = () -> peers().map(peers -> peers.stream()
      .filter(p -> nick.equals(p.nick()) && p.reachable()).map(PeerInfo::peer).findFirst().orElse(null));
    return await(addresses.peerState(), listed, event -> {
      PeerState state = new PeerState(event);
      return nick.equals(state.nick()) && state.reachable() ? Future.succeededFuture(state) : null;
    });
  }

  @Override
  public ChatClient receivedHandler(Handler<ReceivedMessage> handler) {
    return eachHandler(addresses.receivedBatch(), addresses.receivedLocal(), handler, ReceivedMessage::new);
  }

  @Override
  public ChatClient receivedBatchHandler(Handler<List<ReceivedMessage>> handler) {
    return listHandler(addresses.receivedBatch(), addresses.receivedLocal(), handler, ReceivedMessage::new);
  }

  @Override
  public ChatClient sentHandler(Handler<SentMessage> handler) {
    return eachHandler(addresses.sentBatch(), addresses.sentLocal(), handler, SentMessage::new);
  }

  @Override
  public ChatClient sentBatchHandler(Handler<List<SentMessage>> handler) {
    return listHandler(addresses.sentBatch(), addresses.sentLocal(), handler, SentMessage::new);
  }

  @Override
  public ChatClient deliveredHandler(Handler<Delivery> handler) {
    return eachHandler(addresses.deliveredBatch(), addresses.deliveredLocal(), handler, Delivery::new);
  }

  @Override
  public ChatClient deliveredBatchHandler(Handler<List<Delivery>> handler) {
    return listHandler(addresses.deliveredBatch(), addresses.deliveredLocal(), handler, Delivery::new);
  }

  @Override
  public ChatClient queuedHandler(Handler<Queued> handler) {
    return handler(addresses.queued(), handler, Queued::new);
  }

  @Override
  public ChatClient failedHandler(Handler<DeliveryFailure> handler) {
    return handler(addresses.failed(), handler, DeliveryFailure::new);
  }

  @Override
  public ChatClient peerStateHandler(Handler<PeerState> handler) {
    return handler(addresses.peerState(), handler, PeerState::new);
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> unregistered = new ArrayList<>();
    List<Waiter<?>> pending;
    synchronized (this) {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      handlers.values().forEach(subscription -> unregistered.add(subscription.cancel()));
      handlers.clear();
      pending = new ArrayList<>(waiters);
    }
    pending.forEach(waiter -> waiter.finish(Future.failedFuture(new IllegalStateException("client closed"))));
    return Future.all(unregistered).mapEmpty();
  }

  private <T> ChatClient handler(String address, Handler<T> handler, Function<JsonObject, T> decode) {
    return subscribe(address, handler == null ? null
      : Subscription.of(vertx.eventBus().<JsonObject>consumer(address, msg -> handler.handle(decode.apply(msg.body())))));
  }

  /** A per-message handler served by a batched event ({@link #batches}): each event in turn, in order. */
  private <T> ChatClient eachHandler(String batchAddress, String localAddress, Handler<T> handler,
                                     Function<JsonObject, T> decode) {
    return batches(batchAddress + EACH, batchAddress, localAddress, handler == null ? null : events -> {
      for (Object event : events) {
        handler.handle(decode.apply((JsonObject) event));
      }
    });
  }

  /** A batch handler of a batched event ({@link #batches}): one list per batch. */
  private <T> ChatClient listHandler(String batchAddress, String localAddress, Handler<List<T>> handler,
                                     Function<JsonObject, T> decode) {
    return batches(batchAddress + LIST, batchAddress, localAddress, handler == null ? null
      : events -> handler.handle(list(events, event -> decode.apply((JsonObject) event))));
  }

  /**
   * Subscribes {@code onEvents} (null: unsubscribes) to one batched event. In a Vert.x instance that is not
   * clustered the node is in this instance: the batches come by reference on the internal {@code localAddress}
   * ({@link LocalEventBatch}, published while this client counts itself a listener), not copied as the public
   * {@code batchAddress}'s JSON is for every consumer. On a clustered event bus the node may be in another
   * member, so the public batches serve.
   */
  private ChatClient batches(String key, String batchAddress, String localAddress, Handler<JsonArray> onEvents) {
    if (onEvents == null) {
      return subscribe(key, null);
    }
    if (vertx.isClustered()) {
      return subscribe(key, Subscription.of(vertx.eventBus().<JsonObject>consumer(batchAddress,
        msg -> onEvents.handle(msg.body().getJsonArray(ChatAddresses.BATCH_EVENTS)))));
    }
    MessageConsumer<LocalEventBatch> consumer = vertx.eventBus().localConsumer(localAddress,
      msg -> onEvents.handle(new JsonArray(msg.body().events())));
    return subscribe(key, Subscription.listening(consumer, localListeners, localAddress));
  }

  /** Replaces the subscription kept under {@code key} by {@code subscription} (null: none). */
  private synchronized ChatClient subscribe(String key, Subscription subscription) {
    if (closed) {
      if (subscription != null) {
        subscription.cancel();
      }
      throw new IllegalStateException("client closed");
    }
    Subscription before = subscription == null ? handlers.remove(key) : handlers.put(key, subscription);
    if (before != null) {
      before.cancel();
    }
    return this;
  }

  /**
   * One handler's consumer; for an in-process batch also the address it counts itself a listener of
   * ({@link LocalEventListeners}), from just after its consumer registered to its {@link #cancel()}.
   */
  private static final class Subscription {
    private final MessageConsumer<?> consumer;
    private final LocalEventListeners listeners;
    private final String listened;

    private Subscription(MessageConsumer<?> consumer, LocalEventListeners listeners, String listened) {
      this.consumer = consumer;
      this.listeners = listeners;
      this.listened = listened;
    }

    static Subscription of(MessageConsumer<?> consumer) {
      return new Subscription(consumer, null, null);
    }

    /** {@code consumer} (registered) of {@code address}, counted as its listener from now on. */
    static Subscription listening(MessageConsumer<?> consumer, LocalEventListeners listeners, String address) {
      listeners.add(address);
      return new Subscription(consumer, listeners, address);
    }

    Future<Void> cancel() {
      if (listened != null) {
        listeners.remove(listened);
      }
      return consumer.unregister();
    }
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("client closed"));
      }
    }
    return vertx.eventBus().<JsonObject>request(address, body).map(Message::body);
  }

  private static <T> List<T> list(JsonArray array, Function<Object, T> each) {
    // Iterating a JsonArray hands over JsonObjects (it wraps the maps of a body decoded from the wire).
    List<T> out = new ArrayList<>(array.size());
    for (Object item : array) {
      out.add(each.apply(item));
    }
    return out;
  }

  /**
   * Waits for a condition announced by an event: subscribes to {@code address}, and once the
   * subscription is in place asks {@code check} (so no event can fall between asking and
   * listening). {@code check} and {@code onEvent} give a future of the result, null meaning "not yet";
   * {@code onEvent} gives null for an event of no interest.
   */
  private <T> Future<T> await(String address, Supplier<Future<T>> check, Function<JsonObject, Future<T>> onEvent) {
    Waiter<T> waiter = new Waiter<>(check);
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("client closed"));
      }
      waiters.add(waiter);
      waiter.consumer = vertx.eventBus().consumer(address, msg -> {
        Future<T> answer = onEvent.apply(msg.body());
        if (answer != null) {
          waiter.offer(answer);
        }
      });
    }
    waiter.consumer.completion().onComplete(subscribed -> {
      if (subscribed.succeeded()) {
        waiter.ask();
      } else {
        waiter.finish(Future.failedFuture(subscribed.cause()));
      }
    });
    return waiter.promise.future();
  }

  /** One pending {@link #await}: its subscription, its retry timer and its promise. */
  private final class Waiter<T> {
    private final Promise<T> promise = Promise.promise();
    private final Supplier<Future<T>> check;
    private MessageConsumer<JsonObject> consumer;
    /** The timer of the next {@link #ask()} while the node is not deployed, or -1. */
    private long retry = -1;

    Waiter(Supplier<Future<T>> check) {
      this.check = check;
    }

    void ask() {
      synchronized (ChatClientImpl.this) {
        retry = -1;
      }
      offer(check.get());
    }

    /** A possible answer: a result ends the wait, "not yet" keeps it, NO_HANDLERS asks again later. */
    void offer(Future<T> answer) {
      answer.onComplete(result -> {
        if (result.succeeded() && result.result() == null) {
          return;
        }
        if (result.failed() && result.cause() instanceof ReplyException reply
          && reply.failureType() == ReplyFailure.NO_HANDLERS) {
          synchronized (ChatClientImpl.this) {
            if (retry == -1 && !promise.future().isComplete()) {
              retry = vertx.setTimer(NOT_DEPLOYED_RETRY_MS, t -> ask());
            }
          }
          return;
        }
        finish(result);
      });
    }

    /** Ends the wait (the first result wins): completes the promise, unsubscribes, cancels the retry. */
    void finish(AsyncResult<T> result) {
      boolean first = result.succeeded() ? promise.tryComplete(result.result()) : promise.tryFail(result.cause());
      if (first) {
        synchronized (ChatClientImpl.this) {
          waiters.remove(this);
          if (retry != -1) {
            vertx.cancelTimer(retry);
            retry = -1;
          }
        }
        consumer.unregister();
      }
    }
  }
}
