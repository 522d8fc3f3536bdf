package io.p2pchat.client;

import io.p2pchat.client.impl.ChatClientImpl;
import io.p2pchat.node.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * A typed client of one p2pchat node, for any verticle on the node's event bus (the same Vert.x
 * instance, or another on a clustered event bus). It is a thin layer over the node's JSON event-bus
 * API (README, "Event-bus API"): each method sends one documented request, each handler listens to
 * one documented event.
 * <pre>{@code
 * ChatClient chat = ChatClient.create(vertx);            // the node with eventBusPrefix "p2pchat"
 * chat.receivedHandler(m -> log.info("{}: {}", m.from(), m.text()));
 * chat.ready()
 *   .timeout(30, TimeUnit.SECONDS)
 *   .compose(node -> chat.send("hello, room"))
 *   .onSuccess(id -> log.info("sent {}", id));
 * }</pre>
 * <p>
 * <b>Failures.</b> A request the node refuses fails with the Vert.x
 * {@link io.vertx.core.eventbus.ReplyException} it answered, so callers can switch on
 * {@code failureCode()}: 400 a bad request (empty text, a message to oneself), 404 an unknown nick,
 * 413 a text over 64 KiB, 503 a peer's send queue is full or the node is stopping (nothing of that send is sent:
 * every send is answered, also while the node is undeployed). A request no node listens to (not
 * deployed yet, another prefix) fails with a {@code ReplyException} of type {@code NO_HANDLERS}, one
 * the node does not answer in time with type {@code TIMEOUT} (the event bus' default, 30 s).
 * <p>
 * <b>Handlers</b> run on the Vert.x context that set them (a verticle's event loop when set from
 * one), each kind in the order the node published its events. Setting a handler replaces the one
 * before; {@code null} removes it. {@link #close()} removes them all.
 * <p>
 * <b>Per-message events</b> ({@code chat.received}, {@code chat.sent}, {@code chat.delivered}) reach
 * this client through their batched forms ({@code <address>.batch}, one event-bus message per node
 * event-loop turn carrying all of that turn's events, in order): the per-message handlers get them one
 * by one, the batch handlers ({@link #receivedBatchHandler} …) as the list, which is the cheapest way
 * to follow a flood. Both get every event whatever the node's {@code events.perMessage} says. In a Vert.x
 * instance that is not clustered (the node is then in it) the batches come by reference on internal addresses,
 * uncopied, published only while a client listens; on a clustered event bus (the node may be in another member)
 * the public batches serve, which Vert.x copies for each handler.
 */
public interface ChatClient {

  /** A client of the node whose {@code eventBusPrefix} is the default, {@value NodeOptions#DEFAULT_EVENT_BUS_PREFIX}. */
  static ChatClient create(Vertx vertx) {
    return create(vertx, NodeOptions.DEFAULT_EVENT_BUS_PREFIX);
  }

  /** A client of the node whose {@code eventBusPrefix} is {@code eventBusPrefix}. */
  static ChatClient create(Vertx vertx, String eventBusPrefix) {
    return new ChatClientImpl(vertx, eventBusPrefix);
  }

  /** The {@code eventBusPrefix} of the node this client talks to. */
  String eventBusPrefix();

  /**
   * Sends {@code text} to the node's room ({@code chat.send} {@code {"text"}}).
   *
   * @return the message's id, once the node accepted it (later while a peer's window is full: back-pressure)
   */
  Future<String> send(String text);

  /**
   * Sends {@code text} to the peer {@code to} only, or to the room when {@code to} is null
   * ({@code chat.send} {@code {"text", "to"}}).
   *
   * @return the message's id, once accepted
   */
  Future<String> send(String to, String text);

  /**
   * Sends 1 to 1,000 texts to the room in one request ({@code chat.send} {@code {"texts": […]}}): every
   * text is checked first, then each is sent as if alone. The way for a bridge or a bot with many
   * messages to reach the node's full throughput.
   *
   * @return their ids in the same order, once all are accepted
   */
  Future<List<String>> send(List<String> texts);

  /** Like {@link #send(List)}, to the peer {@code to} only (or the room when null). */
  Future<List<String>> send(String to, List<String> texts);

  /** The peers the node knows, by nick ({@code peers}). */
  Future<List<PeerInfo>> peers();

  /** Messages from the node's history, oldest first ({@code history}). */
  Future<List<HistoryMessage>> history(HistoryQuery query);

  /** The node's nick, room, fingerprint and rendezvous state ({@code node}). */
  Future<NodeInfo> info();

  /**
   * Completes once the node answers and is registered with its rendezvous (state {@value NodeInfo#UP}),
   * so its peers can be introduced to it. While no node is deployed on the prefix yet, it asks
   * again every short while; it waits as long as that takes, so bound it with the caller's own
   * {@code ready().timeout(…)}. {@link #close()} fails it and stops its retries.
   */
  Future<NodeInfo> ready();

  /**
   * Completes when the peer {@code nick} is reachable (a {@value PeerState#DIRECT_LAN},
   * {@value PeerState#DIRECT} or {@value PeerState#RELAYED} path), at once if it already is. Waits as
   * long as that takes: bound it with {@code .timeout(…)}; {@link #close()} fails it.
   */
  Future<PeerState> awaitPeer(String nick);

  /** Every message the node receives ({@code chat.received}); null removes the handler. */
  ChatClient receivedHandler(Handler<ReceivedMessage> handler);

  /**
   * Every message the node receives, as the lists of its batched form ({@code chat.received.batch}: what one
   * turn of the node received, in order); null removes the handler.
   */
  ChatClient receivedBatchHandler(Handler<List<ReceivedMessage>> handler);

  /** Every message any front end of the node sent ({@code chat.sent}); null removes the handler. */
  ChatClient sentHandler(Handler<SentMessage> handler);

  /** Every message any front end of the node sent, batched per turn ({@code chat.sent.batch}); null removes the handler. */
  ChatClient sentBatchHandler(Handler<List<SentMessage>> handler);

  /**
   * Every message that waits in an offline peer's mailbox at the rendezvous ({@code chat.queued}); null removes
   * the handler.
   */
  ChatClient queuedHandler(Handler<Queued> handler);

  /** Every acknowledgement by a peer ({@code chat.delivered}); null removes the handler. */
  ChatClient deliveredHandler(Handler<Delivery> handler);

  /** Every acknowledgement by a peer, batched per turn ({@code chat.delivered.batch}); null removes the handler. */
  ChatClient deliveredBatchHandler(Handler<List<Delivery>> handler);

  /** Every message that did not reach a peer ({@code chat.failed}); null removes the handler. */
  ChatClient failedHandler(Handler<DeliveryFailure> handler);

  /** Every change of a peer's path ({@code peer.state}); null removes the handler. */
  ChatClient peerStateHandler(Handler<PeerState> handler);

  /**
   * Removes every handler, fails what {@link #ready()} and {@link #awaitPeer} still wait for, and
   * refuses further use (requests fail, setting a handler throws {@link IllegalStateException}).
   * The node keeps running.
   */
  Future<Void> close();
}
