package io.p2pchat.node;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A rendezvous and client nodes on 127.0.0.1 in one test's own Vert.x, every socket on port 0,
 * every node with its own event-bus prefix, data dir and log file under the test's temp dir.
 * Tests block their own (JUnit) thread on events with a deadline, never on an event loop.
 */
public final class TestNet {

  /** Longest wait for any one event: generous for a loaded 2-core machine, still far under the test timeout. */
  public static final long WAIT_SECONDS = 20;

  private final Vertx vertx;
  private final Path dir;

  public TestNet(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Path dir() {
    return dir;
  }

  /** The result of {@code future}, waiting at most {@link #WAIT_SECONDS}. */
  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Sends {@code messages} numbered texts ({@code tag 1}, {@code tag 2}, ...) from {@code from} to {@code to};
   * asserts each arrived once, in order.
   */
  public static void chatOneWay(Node from, Node to, String tag, int messages) throws Exception {
    List<String> sent = new ArrayList<>();
    for (int i = 1; i <= messages; i++) {
      String text = tag + " " + i;
      sent.add(text);
      from.sendTo(to.nick, text);
    }
    to.awaitReceived(from.nick, sent.get(sent.size() - 1));
    List<String> received = to.events.all(Events.RECEIVED).stream()
      .filter(e -> from.nick.equals(e.getString("from")) && e.getString("text").startsWith(tag + " "))
      .map(e -> e.getString("text")).toList();
    if (!sent.equals(received)) {
      throw new AssertionError("every message once, in order: sent " + sent + ", received " + received);
    }
  }

  /** Waits until each of {@code a} and {@code b} sees the other on a direct LAN path. */
  public static void awaitDirectLan(Node a, Node b) throws Exception {
    a.awaitPeer(b.nick, "direct-lan");
    b.awaitPeer(a.nick, "direct-lan");
  }

  /** A rendezvous on 127.0.0.1, any port; {@code extra} overrides the defaults (e.g. ttlSeconds). */
  public RendezvousVerticle rendezvous(JsonObject extra) throws Exception {
    RendezvousVerticle r = new RendezvousVerticle();
    // TLS on any free port: several rendezvous of one JVM (a cluster) never meet on the default port.
    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("port", 0)
      .put("tls", new JsonObject().put("port", 0))
      .put("logDir", dir.resolve("logs").toString()).mergeIn(extra);
    await(vertx.deployVerticle(r, new DeploymentOptions().setConfig(config)));
    return r;
  }

  /** The rendezvous' {@code stats()}, read on its own event loop. */
  public JsonObject rendezvousStats() throws Exception {
    return await(vertx.eventBus().<JsonObject>request("p2pchat.rendezvous.stats", null)).body();
  }

  /**
   * A node config: prefix = nick, dataDir = dir/nick, bound to 127.0.0.1:0, no TLS fallback (a node whose
   * rendezvous is silent must not meet whatever listens on this machine's port 7443; tests of the fallback
   * set {@code rendezvous.tls.port} to their rendezvous's).
   */
  public JsonObject nodeConfig(String nick, int rendezvousPort) {
    return new JsonObject()
      .put("nick", nick)
      .put("eventBusPrefix", nick)
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("port", rendezvousPort)
        .put("tls", new JsonObject().put("port", NodeOptions.NO_TLS_FALLBACK)))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("dataDir", dir.resolve("data-" + nick).toString())
      .put("logDir", dir.resolve("logs").toString());
  }

  public Node node(String nick, int rendezvousPort) throws Exception {
    return node(nodeConfig(nick, rendezvousPort));
  }

  /** Deploys a ChatNodeVerticle, subscribed to its events before it starts. */
  public Node node(JsonObject config) throws Exception {
    String prefix = config.getString("eventBusPrefix");
    Events events = new Events(vertx, new ChatAddresses(prefix));
    ChatNodeVerticle verticle = new ChatNodeVerticle();
    String id = await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    return new Node(this, config.getString("nick"), prefix, id, verticle, events);
  }

  /** A deployed node as a test sees it: its events and its public event-bus API. */
  public static final class Node {
    public final String nick;
    public final String prefix;
    public final String deploymentId;
    public final ChatNodeVerticle verticle;
    public final Events events;
    private final TestNet net;
    private final ChatAddresses addresses;

    Node(TestNet net, String nick, String prefix, String deploymentId, ChatNodeVerticle verticle, Events events) {
      this.net = net;
      this.nick = nick;
      this.prefix = prefix;
      this.deploymentId = deploymentId;
      this.verticle = verticle;
      this.events = events;
      this.addresses = new ChatAddresses(prefix);
    }

    public int port() {
      return verticle.port();
    }

    /** Sends to the room; returns the message id. */
    public String send(String text) throws Exception {
      return send(new JsonObject().put("text", text));
    }

    public String sendTo(String to, String text) throws Exception {
      return send(new JsonObject().put("text", text).put("to", to));
    }

    public String send(JsonObject request) throws Exception {
      return await(net.vertx.eventBus().<JsonObject>request(addresses.send(), request)).body().getString("id");
    }

    public JsonObject peers() throws Exception {
      return await(net.vertx.eventBus().<JsonObject>request(addresses.peers(), new JsonObject())).body();
    }

    /** The node's history ({@code history} with no query): the last messages of every conversation, oldest first. */
    public JsonArray history() throws Exception {
      return await(net.vertx.eventBus().<JsonObject>request(addresses.history(), null)).body().getJsonArray("messages");
    }

    /** The node's direct conversation with {@code peer} ({@code history {"peer"}}), oldest first. */
    public JsonArray history(String peer) throws Exception {
      return await(net.vertx.eventBus().<JsonObject>request(addresses.history(), new JsonObject().put("peer", peer)))
        .body().getJsonArray("messages");
    }

    /** The node's socket drop counters and link state (internal diagnostics address). */
    public JsonObject stats() throws Exception {
      return await(net.vertx.eventBus().<JsonObject>request(addresses.stats(), new JsonObject())).body();
    }

    /** Waits until this node sees {@code peer} in {@code state}; returns that event. */
    public JsonObject awaitPeer(String peer, String state) throws Exception {
      return events.await(Events.PEER_STATE, e -> peer.equals(e.getString("nick")) && state.equals(e.getString("state")));
    }

    /** Waits until this node sees {@code peer} in {@code state} at an address starting with {@code prefix} ({@code [::1]:}). */
    public JsonObject awaitPeerAt(String peer, String state, String prefix) throws Exception {
      JsonObject path = awaitPeer(peer, state);
      if (!String.valueOf(path.getString("address")).startsWith(prefix)) {
        throw new AssertionError(nick + " reached " + peer + " " + state + " at another address than " + prefix + "…: "
          + path.encode());
      }
      return path;
    }

    /** Waits until this node is registered with the rendezvous; returns that {@code rendezvous.state} event. */
    public JsonObject awaitUp() throws Exception {
      return events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    }

    public JsonObject awaitReceived(String from, String text) throws Exception {
      return events.await(Events.RECEIVED, e -> from.equals(e.getString("from")) && text.equals(e.getString("text")));
    }

    public JsonObject awaitDelivered(String id, String peer) throws Exception {
      return events.await(Events.DELIVERED, e -> id.equals(e.getString("id")) && peer.equals(e.getString("peer")));
    }

    public Future<Void> undeploy() {
      return net.vertx.undeploy(deploymentId);
    }
  }

  /**
   * Every event a node publishes on its public addresses, recorded in arrival order. Waiting is on
   * a monitor notified by each new event, bounded by a deadline: no sleeping, no polling.
   */
  public static final class Events {
    public static final String RECEIVED = "chat.received";
    public static final String SENT = "chat.sent";
    public static final String DELIVERED = "chat.delivered";
    public static final String FAILED = "chat.failed";
    public static final String QUEUED = "chat.queued";
    public static final String PEER_STATE = "peer.state";
    public static final String RENDEZVOUS_STATE = "rendezvous.state";

    private record Event(String kind, JsonObject body) {
    }

    private final List<Event> all = new ArrayList<>();

    public Events(Vertx vertx, ChatAddresses addresses) {
      subscribe(vertx, addresses.received(), RECEIVED);
      subscribe(vertx, addresses.sent(), SENT);
      subscribe(vertx, addresses.delivered(), DELIVERED);
      subscribe(vertx, addresses.failed(), FAILED);
      subscribe(vertx, addresses.queued(), QUEUED);
      subscribe(vertx, addresses.peerState(), PEER_STATE);
      subscribe(vertx, addresses.rendezvousState(), RENDEZVOUS_STATE);
    }

    private void subscribe(Vertx vertx, String address, String kind) {
      vertx.eventBus().<JsonObject>consumer(address, msg -> {
        synchronized (this) {
          all.add(new Event(kind, msg.body()));
          notifyAll();
        }
      });
    }

    /** Events of one kind so far, in arrival order. */
    public synchronized List<JsonObject> all(String kind) {
      List<JsonObject> out = new ArrayList<>();
      for (Event e : all) {
        if (e.kind.equals(kind)) {
          out.add(e.body);
        }
      }
      return out;
    }

    public synchronized List<JsonObject> matching(String kind, Predicate<JsonObject> predicate) {
      return all(kind).stream().filter(predicate).toList();
    }

    /** The first event of {@code kind} matching {@code predicate}, waiting for it if need be. */
    public JsonObject await(String kind, Predicate<JsonObject> predicate) throws InterruptedException {
      return awaitCount(kind, predicate, 1).get(0);
    }

    /** Waits until at least {@code n} events of {@code kind} match; returns all matches. */
    public List<JsonObject> awaitCount(String kind, Predicate<JsonObject> predicate, int n)
      throws InterruptedException {
      return awaitCount(kind, predicate, n, WAIT_SECONDS);
    }

    /** The first event of {@code kind} matching {@code predicate} within {@code seconds}. */
    public JsonObject awaitWithin(String kind, Predicate<JsonObject> predicate, long seconds) throws InterruptedException {
      return awaitCount(kind, predicate, 1, seconds).get(0);
    }

    /** Waits at most {@code seconds} until at least {@code n} events of {@code kind} match; returns all matches. */
    public synchronized List<JsonObject> awaitCount(String kind, Predicate<JsonObject> predicate, int n, long seconds)
      throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (true) {
        List<JsonObject> found = matching(kind, predicate);
        if (found.size() >= n) {
          return found;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("waited " + seconds + " s for " + n + " " + kind + " events, saw "
            + found.size() + "; all " + kind + " events: " + all(kind));
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }
}
