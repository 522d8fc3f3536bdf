package io.p2pchat.punch;

import io.p2pchat.common.NodeLog;
import io.p2pchat.control.ControlClient;
import io.p2pchat.control.ControlCodec;
import io.p2pchat.control.ControlSession;
import io.p2pchat.control.KnownServers;
import io.p2pchat.control.TicketWallet;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The sealed control channel to the rendezvous, node side: one {@link ControlClient} per server of
 * the list (each instance its own key and session), the handshake's retransmission timer, and the
 * control messages waiting for a session. {@link RendezvousClient} hands every control message to
 * {@link #send} and every 0xD8 datagram from the current server to {@link #onDatagram}; what does not
 * authenticate throws and is dropped and counted by PunchVerticle, never acted on.
 *
 * A RESET that carries our session's token (the server restarted with the same key and lost it) closes
 * the session and tells the owner, which registers again: that starts a new handshake at once.
 * <pre>
 *   no session ──send()──▶ handshake (HELLO, COOKIE, INITIATION, RESPONSE) ──▶ session: queued messages leave
 *        ▲                     │ the server presented another key than the pinned one
 *        │                     ▼
 *        └──── failover ── REFUSED: nothing is sent to it again in this process; reported once, loudly
 * </pre>
 * A session older than {@code ControlTiming.REHANDSHAKE_AFTER_NANOS} is renewed with the next message
 * (the old one seals until the new one is ready): resumed from the ticket the server gave us when we hold
 * one (RESUME, RESUMED), else by a full handshake; a failover resumes at the next server the same way. Lives on PunchVerticle's event loop only.
 */
final class RendezvousChannel {

  /**
   * Control messages kept while a handshake runs: a register, a keep-alive, a few connects. More
   * means the server is not answering; the link's own retries send what matters again.
   */
  static final int MAX_QUEUED = 16;

  /** What the channel reports to its owner. */
  interface Listener {
    /** The server presented another key than the pinned one: nothing was or will be sent to it. */
    void keyRefused(String server, KnownServers.Trust trust, String presentedFingerprint);

    /**
     * The current server proved it no longer has our session (a stateless reset: it restarted with the
     * same key): our registration is gone with it. The next message starts a new handshake.
     */
    void sessionReset(String why);

    /** A control session is ready (the server answered the handshake); queued messages are leaving now. */
    default void sessionEstablished() {
    }
  }

  private final Vertx vertx;
  private final NodeLog log;
  private final NodeIdentity identity;
  private final KnownServers known;
  private final DatagramSender sender;
  private final Listener listener;
  private final SecureRandom random = new SecureRandom();
  private final Map<Endpoint, ControlClient> clients = new HashMap<>();
  /**
   * The resumption ticket the last server gave us, shared by the clients of every server of the list: a
   * failover to another instance of the cluster resumes with it (no public-key work on either side), and
   * so does every 120 s re-key. In memory only: a restarted node runs one full handshake first.
   */
  private final TicketWallet tickets = new TicketWallet();
  private final Deque<JsonObject> queue = new ArrayDeque<>();
  private Endpoint server;
  private String serverName;
  private long timer = -1;

  RendezvousChannel(Vertx vertx, NodeLog log, NodeIdentity identity, KnownServers known, DatagramSender sender,
                    Listener listener) {
    this.vertx = vertx;
    this.log = log;
    this.identity = identity;
    this.known = known;
    this.sender = sender;
    this.listener = listener;
  }

  /** Talks to {@code server} ({@code name}: its {@code host:port} as configured, the key of {@code known_servers}) from now on. */
  void use(Endpoint server, String name) {
    if (!server.equals(this.server)) {
      queue.clear(); // what the old server did not get, the link sends again to the new one
    }
    this.server = server;
    this.serverName = name;
    clients.computeIfAbsent(server,
      s -> new ControlClient(identity, name, known, ControlCodec.SUITE, random, System::currentTimeMillis)
        .useTickets(tickets).logTo(log));
  }

  /**
   * Starts a new control session with the current server over another transport: {@code binding} is the
   * {@link io.p2pchat.control.ChannelBinding} of the TLS connection it now runs in, null back over UDP.
   * The server's key stays pinned under the same name; queued messages wait for the new session.
   */
  void rebind(byte[] binding) {
    vertx.cancelTimer(timer);
    timer = -1;
    ControlClient before = clients.put(server, new ControlClient(identity, serverName, known, ControlCodec.SUITE,
      random, System::currentTimeMillis, binding).useTickets(tickets).logTo(log));
    if (before != null) {
      before.close("replaced by a session over another transport");
    }
  }

  /**
   * A client for the current server over UDP, apart from the channel's: only its HELLO and the COOKIE that
   * answers it are used, to learn whether UDP reaches the server while the channel runs over TLS.
   */
  ControlClient newUdpClient() {
    return new ControlClient(identity, serverName, known, ControlCodec.SUITE, random, System::currentTimeMillis)
      .logTo(log);
  }

  /** True once the current server presented a refused key. */
  boolean refused() {
    return current().state() == ControlClient.State.REFUSED;
  }

  /**
   * Seals {@code message} to the current server; without a session yet, starts the handshake and
   * sends it once the session is ready. The future completes once it left the socket (at once when it
   * waits for the handshake, or cannot be sent: a refused key).
   */
  Future<Void> send(JsonObject message) {
    ControlClient client = current();
    if (client.state() == ControlClient.State.REFUSED) {
      return Future.succeededFuture();
    }
    long now = System.nanoTime();
    ControlSession session = client.session();
    if (session != null && session.needsRehandshake(now) && client.state() == ControlClient.State.IDLE) {
      handshake(client, now);
    }
    // While a handshake runs, messages wait for its session: the old one may be what stopped working.
    if (client.state() == ControlClient.State.IDLE && session != null && session.isUsable(now)) {
      return sender.send(Buffer.buffer(client.seal(message.toBuffer().getBytes(), now)), server);
    }
    queue.remove(message); // a repeated register or keep-alive waits once, in its latest place
    if (queue.size() >= MAX_QUEUED) {
      queue.removeFirst();
    }
    queue.addLast(message);
    if (client.state() == ControlClient.State.IDLE) {
      handshake(client, now);
    }
    return Future.succeededFuture();
  }

  /**
   * Seals {@code message} in the current server's session and sends it to {@code to}, another address of
   * that server (its other address family: an {@code alt} leaves from our socket of that family). Never
   * queued nor handshaken for: without a usable session it is not sent, and false is returned.
   */
  boolean sendTo(JsonObject message, Endpoint to) {
    ControlClient client = current();
    long now = System.nanoTime();
    ControlSession session = client.session();
    if (client.state() != ControlClient.State.IDLE || session == null || !session.isUsable(now)) {
      return false;
    }
    sender.send(Buffer.buffer(client.seal(message.toBuffer().getBytes(), now)), to);
    return true;
  }

  /**
   * A control-channel datagram from the current server: the control message it carries, or null
   * when it was a step of the handshake.
   *
   * @throws WireException when it does not authenticate, was seen before or is not expected: drop and count it
   */
  JsonObject onDatagram(Buffer datagram, long now) throws WireException {
    ControlClient client = current();
    ControlClient.Event event = client.onDatagram(datagram.getBytes(), now);
    if (event instanceof ControlClient.Event.Dropped d) {
      throw new WireException(d.drop().dropReason(), "control " + d.drop().label() + ": " + d.why(), d.drop().expected());
    }
    if (event instanceof ControlClient.Event.Message m) {
      return io.p2pchat.wire.ControlCodec.decodeBody(Buffer.buffer(m.payload()));
    }
    if (event instanceof ControlClient.Event.Send s) {
      sender.send(Buffer.buffer(s.datagram()), server);
    } else if (event instanceof ControlClient.Event.Established e) {
      established(e);
    } else if (event instanceof ControlClient.Event.Reset r) {
      listener.sessionReset(r.why());
    } else if (event instanceof ControlClient.Event.KeyRefused r) {
      queue.clear();
      listener.keyRefused(serverName, r.trust(), r.presentedFingerprint());
    }
    reschedule(client);
    return null;
  }

  /**
   * The current server stopped answering in our session (it restarted and lost it, or our path broke):
   * starts a new handshake, so the next messages go in a session the server knows.
   */
  void renew() {
    ControlClient client = current();
    if (client.state() == ControlClient.State.IDLE && client.session() != null) {
      handshake(client, System.nanoTime());
    }
  }

  /**
   * True while a handshake with the current server runs and has not yet waited
   * {@link Timing#CONTROL_HANDSHAKE_PATIENCE_NANOS} for an answer: messages queued behind it are not
   * unanswered yet.
   */
  boolean handshakeRunning(long now) {
    ControlClient client = current();
    ControlClient.State state = client.state();
    return state != ControlClient.State.IDLE && state != ControlClient.State.REFUSED
      && client.unansweredNanos(now) < Timing.CONTROL_HANDSHAKE_PATIENCE_NANOS;
  }

  /** Cancels the retransmission timer. */
  void stop() {
    vertx.cancelTimer(timer);
  }

  /** Closes every server's control sessions, wiping their keys: the node stops (after its goodbye was sealed). */
  void close() {
    for (ControlClient client : clients.values()) {
      client.close("the node stops");
    }
  }

  private void established(ControlClient.Event.Established e) {
    if (e.firstUse()) {
      log.info("rendezvous {} key {} trusted on first use: pinned in {}", serverName, e.fingerprint(), known.file());
      vertx.executeBlocking(() -> {
        known.save();
        return null;
      }).onFailure(err -> log.error("cannot save {}: {}", known.file(), err.getMessage()));
    } else {
      log.debug("control session with {} {} ({})", serverName, e.resumed() ? "resumed from a ticket" : "established",
        e.session());
    }
    long now = System.nanoTime();
    while (!queue.isEmpty()) {
      sender.send(Buffer.buffer(e.session().seal(queue.removeFirst().toBuffer().getBytes(), now)), server);
    }
    listener.sessionEstablished();
  }

  private void handshake(ControlClient client, long now) {
    sender.send(Buffer.buffer(client.start(now)), server);
    reschedule(client);
  }

  private void reschedule(ControlClient client) {
    vertx.cancelTimer(timer);
    timer = -1;
    long deadline = client.retransmitDeadline();
    if (deadline == Long.MAX_VALUE) {
      return;
    }
    Endpoint to = server;
    timer = vertx.setTimer(Timing.timerDelayMs(deadline, System.nanoTime()), id -> {
      ControlClient c = clients.get(to);
      if (c == null || !to.equals(server)) {
        return; // failed over meanwhile: the new server's handshake has its own timer
      }
      byte[] again = c.retransmit(System.nanoTime());
      if (again != null) {
        sender.send(Buffer.buffer(again), to);
      }
      reschedule(c);
    });
  }

  private ControlClient current() {
    return clients.get(server);
  }
}
