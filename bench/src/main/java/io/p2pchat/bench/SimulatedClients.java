package io.p2pchat.bench;

import io.p2pchat.control.ControlClient;
import io.p2pchat.control.ControlException;
import io.p2pchat.control.ControlSession;
import io.p2pchat.control.KnownServers;
import io.p2pchat.control.TicketWallet;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Up to millions of simulated chat clients in one JVM, each speaking the real sealed control protocol
 * with the protocol module's own classes ({@link ControlClient} for the cookie round and the Noise IK
 * handshake, {@link ControlSession} for sealing, {@link RegistrationLoad#registerWith} for the signed
 * register), each from its own source address ({@link SourceAddresses}: a socket bound only while the
 * client has something to send).
 *
 * <p><b>Compact per client.</b> A client's identity is not stored: it is derived again when needed
 * from this run's seed and the client's number ({@link NodeIdentity#generate(SecureRandom)} with a
 * seeded DRBG), so a client costs one byte (the instance it is registered at) plus a reference to its
 * control session while that session is young enough to seal keep-alives. A session older than
 * {@link io.p2pchat.control.ControlTiming#REHANDSHAKE_AFTER_NANOS} is dropped by {@link #sweep}, as a
 * real client drops it for a new handshake: the sessions held are at most the handshakes of the last
 * two minutes, whatever the number of clients (a ControlSession with its two ciphers is ~2 KiB).
 *
 * <p>Each operation is blocking and called from the bench's worker threads, a client at a time per
 * thread; distinct clients may run on distinct threads at once.
 */
final class SimulatedClients {

  /** {@link #home} of a client that is not registered anywhere. */
  static final byte NOWHERE = -1;
  /** Clients in the room the plain {@code peer N} look-ups read ({@code lobby}): clients 0..3. */
  static final int LOBBY_SIZE = RegistrationLoad.ROOM_SIZE;
  /** The DRBG whose output is fixed by its seed when seeded before first use (OpenJDK's SHA1PRNG). */
  private static final String DRBG = "SHA1PRNG";

  private final int count;
  private final SourceAddresses sources;
  private final InetSocketAddress[] instances;
  private final String prefix;
  /** 16 random bytes of this run: client identities differ between runs (and between instances of a cluster run). */
  private final byte[] runSeed = new byte[16];
  private final SecureRandom random = new SecureRandom();
  /** Index of the instance each client is registered at, or {@link #NOWHERE}. */
  private final byte[] home;
  /** Each client's control session while it may still seal (younger than the re-handshake age), else null. */
  private final ControlSession[] sessions;
  /**
   * Each client's resumption ticket, as a real node keeps it (RendezvousChannel): its re-keys and its
   * failover to another instance resume with it, no public-key work on either side. ~330 bytes a client
   * (the wallet, the 137-byte ticket, its secret and the issuer's key), made at the client's first handshake.
   */
  private final TicketWallet[] tickets;

  final AtomicLong handshakes = new AtomicLong();
  /** Handshakes that were resumptions from the client's ticket (a re-key, a failover), the rest full IK. */
  final AtomicLong resumptions = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  SimulatedClients(int count, SourceAddresses sources, InetSocketAddress[] instances, String prefix) {
    if (instances.length > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("at most " + Byte.MAX_VALUE + " instances");
    }
    this.count = count;
    this.sources = sources;
    this.instances = instances.clone();
    this.prefix = prefix;
    this.home = new byte[count];
    Arrays.fill(home, NOWHERE);
    this.sessions = new ControlSession[count];
    this.tickets = new TicketWallet[count];
    random.nextBytes(runSeed);
  }

  int count() {
    return count;
  }

  /** The instance client {@code i} is registered at, or {@link #NOWHERE}. */
  int home(int i) {
    return home[i];
  }

  /** Nick of client {@code i}. */
  String nick(int i) {
    return prefix + i;
  }

  /** Client {@code i}'s identity, the same each time it is asked for (derived from the run's seed). */
  NodeIdentity identity(int i) {
    try {
      SecureRandom drbg = SecureRandom.getInstance(DRBG);
      drbg.setSeed(ByteBuffer.allocate(runSeed.length + Integer.BYTES).put(runSeed).putInt(i).array());
      return NodeIdentity.generate(drbg);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks " + DRBG, e);
    }
  }

  /**
   * Client {@code i} registers at instance {@code instance}: a new control handshake there, then the
   * signed register. True once {@code registered} came; the client's session is kept for keep-alives.
   */
  boolean register(int i, int instance) throws IOException {
    NodeIdentity key = identity(i);
    String room = i < LOBBY_SIZE ? "lobby" : prefix + "r" + i;
    JsonObject registration = RegistrationLoad.registration(key, nick(i), room, "sim-" + i);
    try (DatagramSocket s = bind(i)) {
      ControlClient control = client(i, key, instance);
      handshakes.incrementAndGet();
      if (RegistrationLoad.registerWith(s, instances[instance], control, key, registration)) {
        if (control.resumed()) {
          resumptions.incrementAndGet();
        }
        sessions[i] = control.session();
        home[i] = (byte) instance;
        return true;
      }
    }
    failures.incrementAndGet();
    return false;
  }

  /**
   * Client {@code i} sends a sealed keep-alive to its instance and awaits the ack. When its session is
   * too old to seal (a real client has re-handshaken by then), a new handshake comes first: true in
   * {@code rehandshook[0]} then. False when no ack came after {@link RegistrationLoad#ATTEMPTS} tries.
   */
  boolean keepAlive(int i, boolean[] rehandshook) throws IOException {
    int instance = home[i];
    if (instance == NOWHERE) {
      return false;
    }
    rehandshook[0] = false;
    try (DatagramSocket s = bind(i)) {
      ControlSession session = sessions[i];
      long now = System.nanoTime();
      if (session == null || session.needsRehandshake(now) || !session.isUsable(now)) {
        ControlClient control = client(i, identity(i), instance);
        handshakes.incrementAndGet();
        for (int attempt = 0; attempt < RegistrationLoad.ATTEMPTS && control.session() == null; attempt++) {
          RegistrationLoad.handshake(s, instances[instance], control);
        }
        session = control.session();
        if (session == null) {
          failures.incrementAndGet();
          return false;
        }
        sessions[i] = session;
        rehandshook[0] = true;
      }
      byte[] keepAlive = Control.of(ControlType.KEEPALIVE).toBuffer().getBytes();
      for (int attempt = 0; attempt < RegistrationLoad.ATTEMPTS; attempt++) {
        if (ask(s, instances[instance], session, keepAlive, ControlType.KEEPALIVE_ACK)) {
          return true;
        }
      }
    }
    failures.incrementAndGet();
    return false;
  }

  /** Forgets the sessions a real client would replace by a new handshake now; returns the number still held. */
  int sweep() {
    long now = System.nanoTime();
    int held = 0;
    for (int i = 0; i < count; i++) {
      ControlSession s = sessions[i];
      if (s != null && s.needsRehandshake(now)) {
        sessions[i] = null;
      } else if (s != null) {
        held++;
      }
    }
    return held;
  }

  /** Forgets client {@code i}'s registration and session (its instance was killed). */
  void lost(int i) {
    home[i] = NOWHERE;
    sessions[i] = null;
  }

  private ControlClient client(int i, NodeIdentity key, int instance) {
    InetSocketAddress server = instances[instance];
    if (tickets[i] == null) {
      tickets[i] = new TicketWallet();
    }
    return new ControlClient(key, server.getHostString() + ":" + server.getPort(),
        KnownServers.empty(Path.of("unsaved-known-servers")), io.p2pchat.control.ControlCodec.SUITE, random,
        System::currentTimeMillis).useTickets(tickets[i]);
  }

  /** Clients holding a resumption ticket now. */
  long ticketsHeld() {
    long n = 0;
    for (TicketWallet w : tickets) {
      if (w != null && w.holdsTicket()) {
        n++;
      }
    }
    return n;
  }

  /** A socket at client {@code i}'s own address, for one turn of it. */
  private DatagramSocket bind(int i) throws IOException {
    DatagramSocket s = new DatagramSocket(null);
    try {
      s.bind(sources.of(i));
      s.setSoTimeout(RegistrationLoad.ANSWER_TIMEOUT_MS);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /** Seals {@code msg} in {@code session}, sends it, and waits for a sealed answer of type {@code wanted}. */
  private static boolean ask(DatagramSocket s, InetSocketAddress to, ControlSession session, byte[] msg,
      ControlType wanted) throws IOException {
    byte[] out = session.seal(msg, System.nanoTime());
    s.send(new DatagramPacket(out, out.length, to));
    while (true) {
      byte[] in = RegistrationLoad.receive(s);
      if (in == null) {
        return false;
      }
      try {
        JsonObject answer = ControlCodec.decodeBody(Buffer.buffer(session.open(in, System.nanoTime())));
        ControlType type = Control.type(answer);
        if (type == wanted) {
          return true;
        }
        if (type == ControlType.ERROR) {
          return false;
        }
      } catch (ControlException | WireException e) {
        // not ours, or not an answer (an introduction): keep waiting for the ack
      }
    }
  }
}
