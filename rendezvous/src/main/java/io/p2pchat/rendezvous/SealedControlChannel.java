package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.control.ClientKey;
import io.p2pchat.control.ControlCodec;
import io.p2pchat.control.ControlServer;
import io.p2pchat.control.ControlSession;
import io.p2pchat.control.RendezvousIdentity;
import io.p2pchat.control.ResponderWork;
import io.p2pchat.control.TicketKeys;
import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StreamEndpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The authenticated control channel ({@link ControlServer}: cookie first, Noise IK, sealed sessions)
 * in front of the command handlers. HELLOs and INITIATIONs are answered here (a COOKIE, a RESPONSE), and
 * so is a SEALED datagram for a session this server does not have (a stateless RESET);
 * a SEALED datagram is opened in its session and its JSON handed on; everything else (a forgery, a
 * replay, an unknown session) throws and is dropped and counted by the demux.
 *
 * <p>Sealing is by address: each client's current address is the source of its latest authenticated
 * message (a session roams like DATA), and the rendezvous seals to it in that client's confirmed
 * session. A client registers with the identity key its handshake proved: a {@code register} naming
 * another key is refused here, so a session never speaks for a key it does not hold (the handlers still
 * check the signature over the address cookie, as before). Lives on the verticle's event loop only.
 */
final class SealedControlChannel implements ControlChannel {

  private final ControlServer server;
  /** Where initiations' public-key work runs; null: inline, on the caller's thread. */
  private final HandshakeWorkers workers;
  /** The {@link io.p2pchat.control.ChannelBinding} of our TLS certificate, for datagrams of stream endpoints; null without TLS. */
  private final byte[] tlsBinding;
  /**
   * Client (by Ed25519 key) at each address that sent it an authenticated message; one address per client.
   * The other way, each client's address, is attached to its entry in the {@link ControlServer}
   * ({@link ControlServer#attach}): one map entry per client here, not two.
   */
  private final Map<Endpoint, ClientKey> clientAt = new HashMap<>();

  /** A channel keyed by {@code identity}, keeping at most {@code maxSessions} sessions, issuing no tickets. */
  SealedControlChannel(RendezvousIdentity identity, int maxSessions) {
    this(identity, maxSessions, null, () -> null);
  }

  /**
   * A channel whose handshakes over a WebSocket ({@link StreamEndpoint}) are bound to the TLS certificate
   * whose binding is {@code tlsBinding} (null: no TLS listener), and which issues and resumes
   * {@link io.p2pchat.control.ResumptionTicket}s under {@code ticketKeys} (null keys: none).
   */
  SealedControlChannel(RendezvousIdentity identity, int maxSessions, byte[] tlsBinding,
                       Supplier<TicketKeys> ticketKeys) {
    this(identity, maxSessions, tlsBinding, ticketKeys, null);
  }

  /**
   * A channel whose initiations' public-key work runs on {@code workers} ({@link Opened#later}; null:
   * inline), the rest on the caller's event loop.
   */
  SealedControlChannel(RendezvousIdentity identity, int maxSessions, byte[] tlsBinding,
                       Supplier<TicketKeys> ticketKeys, HandshakeWorkers workers) {
    this.tlsBinding = tlsBinding;
    this.workers = workers;
    SecureRandom random = new SecureRandom();
    this.server = new ControlServer(identity, new AddressCookie(random), ControlCodec.SUITE, random, maxSessions);
    server.useTicketKeys(ticketKeys);
  }

  /** Logs the control sessions' lines to {@code log}: the rendezvous's, stamped with its name. */
  void logTo(NodeLog log) {
    server.logTo(log);
  }

  @Override
  public Opened open(Endpoint from, Buffer datagram) throws WireException {
    InetSocketAddress src = from.toInetSocketAddress();
    byte[] binding = StreamEndpoint.is(from) ? tlsBinding : null;
    if (workers == null) {
      return opened(from, server.onDatagram(datagram.getBytes(), src, binding, System.currentTimeMillis(),
        System.nanoTime()));
    }
    ControlServer.Event event = server.receive(datagram.getBytes(), src, binding, System.currentTimeMillis(),
      System.nanoTime());
    if (event instanceof ControlServer.Event.Deferred d) {
      Future<ResponderWork> running = workers.submit(d.work());
      if (running == null) {
        throw new WireException(DropReason.BUSY, "control handshake queue full (" + workers.inFlight() + " running)");
      }
      // complete() on this event loop: the executeBlocking Future completes on the caller's context.
      return Opened.later(running.compose(work -> {
        try {
          return Future.succeededFuture(opened(from, server.complete(work, System.nanoTime())));
        } catch (WireException e) {
          return Future.failedFuture(e);
        }
      }));
    }
    return opened(from, event);
  }

  private Opened opened(Endpoint from, ControlServer.Event event) throws WireException {
    if (event instanceof ControlServer.Event.Reply r) {
      return Opened.reply(Buffer.buffer(r.datagram()), RendezvousMetrics.Handshake.COOKIE, "control cookie");
    }
    if (event instanceof ControlServer.Event.Accepted a) {
      a.session().answeredTo(from);
      return Opened.reply(Buffer.buffer(a.response()), RendezvousMetrics.Handshake.COMPLETED, "control response");
    }
    if (event instanceof ControlServer.Event.Resumed r) {
      r.session().answeredTo(from);
      return Opened.reply(Buffer.buffer(r.resumed()), RendezvousMetrics.Handshake.RESUMED, "control resumed");
    }
    if (event instanceof ControlServer.Event.Reset r) {
      return Opened.reply(Buffer.buffer(r.reset()), RendezvousMetrics.Handshake.RESET,
        "control reset (" + r.why() + ")");
    }
    if (event instanceof ControlServer.Event.Dropped d) {
      throw new WireException(d.drop().dropReason(), "control " + d.drop().label() + ": " + d.why());
    }
    ControlServer.Event.Message m = (ControlServer.Event.Message) event;
    JsonObject msg = io.p2pchat.wire.ControlCodec.decodeBody(Buffer.buffer(m.payload()));
    // The session's own array (not a copy): a registration proven by this session keeps it, one per client.
    byte[] key = m.session().peerKey().shared();
    if (Control.type(msg) == ControlType.REGISTER && msg.getValue(Control.KEY) instanceof String
      && !Arrays.equals(Control.bytes(msg, Control.KEY, key.length), key)) {
      throw new WireException(DropReason.UNAUTHENTICATED, "register names another key than its control session's");
    }
    if (Control.type(msg) != ControlType.ALT) {
      // An alt comes from the client's other address family: it proves nothing yet and never moves the session.
      bind(from, m.session());
    }
    return Opened.message(msg, key);
  }

  private void bind(Endpoint from, ControlSession session) {
    ClientKey key = session.peerKey();
    Endpoint answered = session.answeredTo();
    if (answered != from && from.equals(answered)) {
      // The same address as the handshake's datagram, another object (a new client's first datagrams are
      // not canonical yet): keep the one the registry and this channel keep, not a second with its host.
      session.answeredTo(from);
    }
    if (key.equals(clientAt.get(from))) {
      return; // bound here already (the map and the attachment agree): keep the one key and address objects
    }
    Endpoint before = (Endpoint) server.attach(key, from);
    if (before != null && !before.equals(from)) {
      clientAt.remove(before, key);
    }
    ClientKey other = clientAt.put(from, key);
    if (other != null && !other.equals(key)) {
      server.attach(other, null); // another client's session now speaks from this address: the old one moved on
    }
  }

  /**
   * The address object this channel holds for {@code from} (equal to it), or {@code from}: the verticle
   * hands every datagram's handlers the one instance per client address, so the registry, the limiters
   * and this channel keep one Endpoint per client, not one per datagram that first reached each.
   */
  @Override
  public Endpoint canonical(Endpoint from) {
    ClientKey key = clientAt.get(from);
    Endpoint held = key == null ? null : (Endpoint) server.attachment(key);
    return held != null ? held : from;
  }

  @Override
  public Endpoint addressOf(byte[] key) {
    return (Endpoint) server.attachment(ClientKey.of(key));
  }

  @Override
  public Buffer seal(Endpoint to, JsonObject message) {
    ClientKey key = clientAt.get(to);
    return key == null ? null : sealFor(key.bytes(), message);
  }

  @Override
  public Buffer sealFor(byte[] key, JsonObject message) {
    ControlSession session = server.sessionOf(key);
    long now = System.nanoTime();
    if (session == null || !session.isUsable(now)) {
      return null;
    }
    return Buffer.buffer(session.seal(message.toBuffer().getBytes(), now));
  }

  @Override
  public boolean answeredAt(byte[] key, Endpoint from) {
    ControlSession session = server.sessionOf(key);
    return session != null && from.equals(session.answeredTo());
  }

  @Override
  public int sweep(long nowNanos) {
    int removed = server.sweep(nowNanos);
    clientAt.entrySet().removeIf(e -> {
      if (server.sessionOf(e.getValue().shared()) == null) {
        server.attach(e.getValue(), null); // kept a while for its replay memory: without its old address
        return true;
      }
      return false;
    });
    return removed;
  }

  @Override
  public int sessions() {
    return server.sessionCount();
  }

  @Override
  public void close() {
    server.closeAll("the rendezvous stops");
    clientAt.clear();
  }
}
