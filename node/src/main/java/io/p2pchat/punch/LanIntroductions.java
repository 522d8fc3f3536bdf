package io.p2pchat.punch;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.RateLimiter;
import io.p2pchat.crypto.LanHello;
import io.p2pchat.lan.LanDiscovery;
import io.p2pchat.lan.LanPeer;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.LanHelloCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;

import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns nodes of our room found on the LAN into introductions, with no rendezvous: a found node gets
 * a LAN hello (our nick, sealed to its static key, {@link LanHelloCodec}); a hello we can open names the
 * sender, and both sides then derive the same introduction ({@link LanHello#introduction}) and hand it to
 * {@link SessionHost#lanIntroduced}, which punches and runs the usual Noise handshake and trust check.
 * <pre>
 *   A: mDNS finds B ──hello(A's nick)──▶ B: opens it, introduces A, answers ──hello(B's nick)──▶ A: introduces B
 * </pre>
 * Each side answers a hello at most once per {@link #ANSWER_INTERVAL_NANOS} per peer key, so two nodes
 * never ping-pong hellos. Lives on PunchVerticle's event loop only.
 */
final class LanIntroductions implements LanDiscovery.Listener {

  /** What this class needs of the verticle besides the sessions. */
  interface Host {
    void send(Buffer datagram, Endpoint to);

    /** Discovery's verdict for the console: nothing found on the LAN after {@code afterMs}. */
    void noneFound(long afterMs);
  }

  /** A hello answers a hello at most this often per peer key: the answer is what the asker waits for, not a conversation. */
  static final long ANSWER_INTERVAL_NANOS = 1_000_000_000L;
  /** Hellos opened per second from one source address (each costs an X25519): more is a flood. */
  static final int HELLOS_PER_SOURCE_PER_SECOND = 5;
  static final int HELLO_BURST = 10;
  /** Source addresses the hello limiter tracks; past this the least recent is forgotten (memory stays bounded). */
  static final int MAX_HELLO_SOURCES = 256;
  /** Found nodes whose announced address we remember (our candidate for them); the oldest goes first. */
  static final int MAX_KNOWN = 64;

  private final NodeLog log;
  private final String nick;
  private final String instance;
  private final LanHello keys;
  private final SessionHost sessions;
  private final Host host;
  private final SecureRandom random = new SecureRandom();
  private final RateLimiter helloLimit = new RateLimiter(HELLOS_PER_SOURCE_PER_SECOND, HELLO_BURST, MAX_HELLO_SOURCES);
  /** Announced endpoint by static key (base64), and when we last sent that key a hello. */
  private final Map<String, Endpoint> announced = bounded();
  private final Map<String, Long> helloSentAt = bounded();
  private long hellosIn;
  private long hellosOut;

  LanIntroductions(NodeLog log, String nick, String instance, LanHello keys, SessionHost sessions, Host host) {
    this.log = log;
    this.nick = nick;
    this.instance = instance;
    this.keys = keys;
    this.sessions = sessions;
    this.host = host;
  }

  @Override
  public void found(LanPeer peer) {
    String id = id(peer.staticKey());
    announced.put(id, peer.endpoint());
    sendHello(peer.staticKey(), peer.endpoint(), System.nanoTime());
  }

  @Override
  public void noneFound(long afterMs) {
    host.noneFound(afterMs);
  }

  /** A LAN_HELLO packet from {@code from}. */
  void onHello(Endpoint from, Buffer data, long now) throws WireException {
    if (!helloLimit.tryAcquire(from.host(), now)) {
      throw new WireException(DropReason.RATE_LIMITED, "over " + HELLOS_PER_SOURCE_PER_SECOND + " LAN hellos/s");
    }
    LanHelloCodec.Hello hello = LanHelloCodec.decode(keys, data);
    hellosIn++;
    if (hello.nick().equals(nick)) {
      throw new WireException(DropReason.MALFORMED, "LAN hello with our own nick");
    }
    String id = id(hello.senderStatic());
    Endpoint at = announced.getOrDefault(id, from);
    Long sent = helloSentAt.get(id);
    if (sent == null || now - sent >= ANSWER_INTERVAL_NANOS) {
      sendHello(hello.senderStatic(), from, now);
    }
    LanHello.Introduction intro;
    try {
      intro = keys.introduction(hello.senderStatic());
    } catch (InvalidKeyException e) {
      throw new WireException(DropReason.UNAUTHENTICATED, "LAN hello from a bad key");
    }
    sessions.lanIntroduced(hello.nick(), hello.instance(), intro.introId(), intro.probeSecret(), at, now);
  }

  long hellosIn() {
    return hellosIn;
  }

  long hellosOut() {
    return hellosOut;
  }

  private void sendHello(byte[] peerStatic, Endpoint to, long now) {
    try {
      host.send(LanHelloCodec.encode(keys, peerStatic, nick, instance, random.nextLong()), to);
      helloSentAt.put(id(peerStatic), now);
      hellosOut++;
    } catch (InvalidKeyException e) {
      log.debug("LAN node at {} announces a bad static key: not greeted", to);
    }
  }

  private static String id(byte[] staticKey) {
    return Base64.getEncoder().encodeToString(staticKey);
  }

  private static <V> Map<String, V> bounded() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_KNOWN;
      }
    };
  }
}
