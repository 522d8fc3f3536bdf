package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.delivery.DeliveryOptions;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.HandshakeCodec;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketHeader;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Two {@link PeerSession}s wired back to back on a fake clock, each behind a fake {@link PeerSession.Host}
 * that does what PunchVerticle does with the packets (route by session index, answer punches, forget a
 * session that went GONE, make a new one on a restart). Nothing runs on Vert.x: {@link #advance} fires
 * every timer in deadline order, so a test can live through hours of session in milliseconds.
 */
final class SessionPair {

  /** The clock starts away from 0 so that no deadline arithmetic passes by accident. */
  private static final long START_NANOS = TimeUnit.HOURS.toNanos(1);
  private static final long PUNCH_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(15);
  /** Stops a test whose timers would spin forever at one instant (a bug) instead of hanging. */
  private static final int MAX_EVENTS_PER_ADVANCE = 1_000_000;
  private static final byte[] PROLOGUE = "p2pchat test room".getBytes(StandardCharsets.UTF_8);
  private static final int SECRET_BYTES = 32;

  long now = START_NANOS;
  /** Datagrams in flight, in sending order; delivery takes no time. */
  private final ArrayDeque<Runnable> wire = new ArrayDeque<>();
  private final DeliveryOptions deliveryOptions = new DeliveryOptions();
  private int nextIndex = 1;
  private long nextIntroId = 1;
  private long nextHandle = 1;

  final Side alice = new Side("alice", new Endpoint("192.0.2.1", 4001));
  final Side bob = new Side("bob", new Endpoint("192.0.2.2", 4002));

  SessionPair() {
    alice.peer = bob;
    bob.peer = alice;
  }

  /** Both sides get a session and an introduction; returns once the handshake is done. */
  void connect() {
    alice.start();
    bob.start();
    introduceBoth();
    advance(TimeUnit.SECONDS.toNanos(1));
    if (alice.session.fingerprint() == null || bob.session.fingerprint() == null) {
      throw new AssertionError("the handshake did not complete");
    }
  }

  /** The rendezvous introduces the two again (current instances, fresh introduction ids). */
  void introduceBoth() {
    long introId = nextIntroId++;
    byte[] secret = new byte[SECRET_BYTES];
    secret[0] = (byte) introId;
    alice.introduce(introId, secret);
    bob.introduce(introId, secret);
    pump();
  }

  /** Runs the clock forward, firing every deadline of both sessions on the way (as PunchVerticle's timers do). */
  void advance(long nanos) {
    long until = now + nanos;
    for (int events = 0; events < MAX_EVENTS_PER_ADVANCE; events++) {
      long next = Math.min(alice.deadline(), bob.deadline());
      if (next > until) {
        now = until;
        return;
      }
      now = Math.max(now, next);
      alice.fireIfDue();
      bob.fireIfDue();
      pump();
    }
    throw new AssertionError("timers spin at " + now);
  }

  /**
   * A message each way, with {@code settleNanos} of clock after each: both must arrive exactly once,
   * be acknowledged, and nothing may have failed on the sending side.
   */
  void exchange(String text, long settleNanos) {
    for (Side from : List.of(alice, bob)) {
      String body = text + " from " + from.nick;
      String id = from.send(body);
      advance(settleNanos);
      assertEquals(1, from.peer.received.stream().filter(body::equals).count(), body + " arrives once");
      assertTrue(from.delivered.contains(id), body + " is acknowledged");
      assertEquals(List.of(), from.failReasons, "nothing failed");
    }
  }

  /** Delivers every datagram in flight, and those they cause. */
  void pump() {
    for (int events = 0; !wire.isEmpty(); events++) {
      if (events > MAX_EVENTS_PER_ADVANCE) {
        throw new AssertionError("datagrams never stop");
      }
      wire.poll().run();
    }
  }

  /** One node's view: its identity, its session for the peer (null once GONE) and what it saw. */
  final class Side extends SilentHost {
    final String nick;
    /** Where this side's datagrams come from; a test changes it to rebind the socket (a new port). */
    Endpoint address;
    final NodeIdentity identity = NodeIdentity.generate();
    Side peer;
    PeerSession session;
    /** The secure channel of the current session (the last one the supplier made). */
    SecureChannel channel;
    int instance;
    /** While true, datagrams to this side are lost. */
    boolean unreachable;
    /** While set, the datagrams to this side it accepts are lost (one kind of packet, say). */
    Predicate<Buffer> lose;
    final List<String> received = new ArrayList<>();
    final List<String> delivered = new ArrayList<>();
    final List<String> failed = new ArrayList<>();
    final List<String> failReasons = new ArrayList<>();
    final List<DropReason> drops = new ArrayList<>();
    final List<String> gone = new ArrayList<>();
    /** Counters of the DATA packets this side sent, in order. */
    final List<Long> dataCounters = new ArrayList<>();
    /** The HANDSHAKE packets this side sent, in order (to replay them). */
    final List<Buffer> handshakes = new ArrayList<>();
    /** The DATA packets this side sent, in order (to hold one back and replay it). */
    final List<Buffer> datas = new ArrayList<>();
    /** What this side's path did, in order: {@code punch TO}, {@code punched FROM}, {@code path ADDRESS}. */
    final List<String> pathLog = new ArrayList<>();

    private Side(String nick, Endpoint address) {
      this.nick = nick;
      this.address = address;
    }

    /** A new process: a new instance and a fresh session (what PunchVerticle builds on an introduction). */
    void start() {
      instance++;
      session = newSession();
    }

    /** What PunchVerticle does on an introduction: reuse the session, or make one after a GONE. */
    void introduce(long introId, byte[] secret) {
      if (session == null) {
        session = newSession();
      }
      session.introduce(introId, secret, peer.nick + "-instance-" + peer.instance, introId,
        List.of(new Candidate(peer.address, Candidate.Kind.PUBLIC)), false, false, now);
      session.flush(now);
    }

    private PeerSession newSession() {
      String peerNick = peer.nick;
      return new PeerSession(peerNick, nextIndex++, this, deliveryOptions, () -> {
        channel = new SecureChannel(identity, nick, peerNick, PROLOGUE, CipherSuite.CHACHA20_POLY1305,
          nick.compareTo(peerNick) < 0, payload -> true);
        return channel;
      }, PUNCH_WINDOW_NANOS, KEEP_ALIVE_NANOS, Set.of(address));
    }

    /** Hands a chat message to the session; returns its id. */
    String send(String text) {
      String id = nick + "-" + nextHandle;
      session.submit(nextHandle++, new OutboundChat(id, peer.nick, text.getBytes(StandardCharsets.UTF_8), null),
        new PeerSession.Verdict() {
          @Override
          public void accepted() {
          }

          @Override
          public void refused(String reason) {
            failed.add(id);
            failReasons.add(reason);
          }
        }, now);
      session.flush(now);
      pump();
      return id;
    }

    /** Sends a datagram to the peer as if this side's socket did (used to inject crafted packets). */
    void transmit(Buffer packet) {
      transmitFrom(packet, address);
    }

    /** Sends a datagram to the peer with {@code from} as its source (someone else's socket, or a forged source). */
    void transmitFrom(Buffer packet, Endpoint from) {
      Buffer copy = packet.copy();
      wire.add(() -> peer.receive(copy, from));
    }

    private long deadline() {
      return session == null ? Long.MAX_VALUE : session.nextDeadline();
    }

    private void fireIfDue() {
      if (session != null && session.nextDeadline() <= now) {
        session.onTimer(now);
        if (session != null) {
          session.flush(now);
        }
      }
    }

    /** PunchVerticle.onPacket for HANDSHAKE and DATA: find the session by index, hand it over, count drops. */
    private void receive(Buffer packet, Endpoint from) {
      if (unreachable || (lose != null && lose.test(packet))) {
        return;
      }
      try {
        PacketHeader header = PacketCodec.decodeHeader(packet);
        if (session == null || header.sessionId() != session.localIndex) {
          throw new WireException(DropReason.UNKNOWN_SESSION, "session " + header.sessionId());
        }
        PeerSession to = session;
        if (header.type() == PacketType.HANDSHAKE) {
          to.onHandshake(HandshakeCodec.decode(packet), from, now);
        } else {
          to.onData(header.counter(), packet, from, now);
        }
        if (session != null) {
          session.flush(now);
        }
      } catch (WireException e) {
        drops.add(e.reason());
      } catch (Exception e) {
        throw new AssertionError("a session threw " + e, e);
      }
    }

    // PeerSession.Host

    @Override
    public void sendPacket(PeerSession from, Endpoint to, Buffer packet) {
      try {
        PacketHeader header = PacketCodec.decodeHeader(packet);
        if (header.type() == PacketType.DATA) {
          dataCounters.add(header.counter());
          datas.add(packet.copy());
        } else if (header.type() == PacketType.HANDSHAKE) {
          handshakes.add(packet.copy());
        }
      } catch (WireException e) {
        throw new AssertionError("a session sent a packet that does not parse", e);
      }
      if (to.equals(peer.address)) {
        transmit(packet); // else: the peer's socket is no longer there, the datagram is lost
      }
    }

    @Override
    public void sendPunch(PeerSession from, Endpoint to, long txId) {
      int senderIndex = from.localIndex;
      pathLog.add("punch " + to);
      Endpoint source = address;
      wire.add(() -> {
        if (peer.unreachable || peer.session == null || !to.equals(peer.address)) {
          return;
        }
        // The peer verifies the punch, learns our index and answers with a punched from its session.
        PeerSession answering = peer.session;
        answering.remoteIndex = senderIndex;
        answering.path.onPunch(source, now);
        int answerIndex = answering.localIndex;
        wire.add(() -> {
          if (unreachable || session != from || !source.equals(address)) {
            return;
          }
          from.remoteIndex = answerIndex;
          pathLog.add("punched " + to);
          from.path.onPunched(txId, to, now);
          from.flush(now);
        });
        answering.flush(now);
      });
    }

    @Override
    public void pathChanged(PeerSession from, PathState state, Endpoint address, String why) {
      pathLog.add("path " + address);
      if (state == PathState.GONE && session == from) {
        gone.add(why);
        session = null;
      }
    }

    @Override
    public void received(PeerSession from, byte[] message) {
      received.add(new String(message, StandardCharsets.UTF_8));
    }

    @Override
    public void delivered(PeerSession from, OutboundChat chat) {
      delivered.add(chat.id());
    }

    @Override
    public void failed(PeerSession from, OutboundChat chat, String reason) {
      failed.add(chat.id());
      failReasons.add(reason);
    }

    @Override
    public void handshakeFailed(PeerSession from, String why) {
      throw new AssertionError("handshake failed: " + why);
    }
  }
}
