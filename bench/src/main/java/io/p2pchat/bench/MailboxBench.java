package io.p2pchat.bench;

import io.p2pchat.control.ControlClient;
import io.p2pchat.control.KnownServers;
import io.p2pchat.crypto.MailboxSeal;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.MailboxControl;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code p2pchat bench mailbox [--messages N] [--depositors K]} (also {@code bench rendezvous --mailbox N}): the
 * README's mailbox figure. A real rendezvous (a child JVM, its mailbox in a fresh data directory) takes
 * {@code N} envelopes sealed by {@link MailboxSeal} (one chat line each, 353 bytes) for one recipient who is away,
 * deposited through the sealed control channel by {@code K} registered clients at once, each with
 * {@link #WINDOW} deposits outstanding and every one answered {@code deposited} with its seq after the
 * rendezvous's fsync: deposits per second. Then the recipient registers and the figure is the time from its
 * first handshake datagram until all {@code N} messages arrived and each was acknowledged with a
 * {@code mail-ack}. Prints a table and {@code name=value} lines; always kills its child.
 */
final class MailboxBench {

  /** The README's figure: a busy room's week for someone away, the default mailbox's bound. */
  static final int MESSAGES = 10_000;
  /** Depositors at once: friends writing to the one who is away (each within its 1000 mailbox messages/s). */
  static final int DEPOSITORS = 4;
  /** Deposits each depositor has outstanding: enough for group commit to batch, as many nodes writing would. */
  static final int WINDOW = 64;
  /** A deposit unanswered this long is sent again (same id: answered with its seq, never stored twice). */
  static final long RESEND_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The whole run gives up after this: the figures are seconds. */
  static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);
  /** The recipient acknowledges what arrived together once nothing more came within this. */
  static final int ACK_FLUSH_MS = 1;
  /** A receive that waits no longer than this lets the sender loop resend and refill. */
  static final int POLL_MS = 20;
  /** Rate limits far above the load (they are not what this measures), and a TTL longer than the run. */
  static final JsonObject INSTANCE_CONFIG = new JsonObject()
      .put("requestsPerSecond", 1_000_000).put("requestBurst", 1_000_000)
      .put("requestsPerSecondPerHost", 1_000_000).put("requestBurstPerHost", 1_000_000)
      .put("ttlSeconds", 1800);

  private final int messages;
  private final int depositors;
  private final SecureRandom random = new SecureRandom();

  private MailboxBench(int messages, int depositors) {
    this.messages = messages;
    this.depositors = depositors;
  }

  /** Entry from {@link Bench#main}: {@code args} are what follows {@code mailbox}. */
  static int run(List<String> args) {
    int n = intArg(args, "--messages", intArg(args, "--mailbox", MESSAGES));
    int k = intArg(args, "--depositors", DEPOSITORS);
    try {
      new MailboxBench(n, k).run();
      return 0;
    } catch (Exception e) {
      System.err.println("p2pchat bench mailbox: FAILED: " + e);
      return 1;
    }
  }

  private static int intArg(List<String> args, String name, int fallback) {
    int at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? Integer.parseInt(args.get(at + 1)) : fallback;
  }

  private void run() throws Exception {
    Path workDir = Files.createTempDirectory("p2pchat-bench-mailbox");
    System.out.printf("p2pchat bench mailbox: %,d sealed envelopes from %d depositors, one recipient (work dir %s)%n",
        messages, depositors, workDir);
    NodeIdentity bob = NodeIdentity.generate();
    List<NodeIdentity> senders = new ArrayList<>();
    List<List<byte[]>> envelopes = new ArrayList<>();
    for (int d = 0; d < depositors; d++) {
      NodeIdentity sender = NodeIdentity.generate();
      senders.add(sender);
      List<byte[]> mine = new ArrayList<>();
      for (int i = d; i < messages; i += depositors) {
        mine.add(MailboxSeal.seal(sender, bob.staticPublicKey(), bob.signingPublicKey(),
            ("message " + i + " from depositor " + d).getBytes(StandardCharsets.UTF_8), io.p2pchat.control.ControlCodec.SUITE));
      }
      envelopes.add(mine);
    }
    int port;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(RendezvousInstance.HOST), 0))) {
      port = probe.getLocalPort();
    }
    try (RendezvousInstance rdv = RendezvousInstance.start("mailbox-rdv", port, INSTANCE_CONFIG.copy()
        .put("logDir", workDir.resolve("logs").toString()).put("dataDir", workDir.resolve("data").toString()),
        null, workDir)) {
      rdv.awaitReady();
      InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(RendezvousInstance.HOST), port);
      AtomicLong stored = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      long deadline = System.nanoTime() + TIMEOUT_NANOS;
      // Registered before the clock starts: the figure is deposits, not handshakes.
      List<Client> clients = new ArrayList<>();
      double depositSeconds;
      try {
        for (int d = 0; d < depositors; d++) {
          clients.add(Client.registered(server, senders.get(d), "dep" + d, random));
        }
        depositSeconds = Workers.timed(depositors, deadline, d -> clients.get(d)
            .depositAll(bob.signingPublicKey(), "d" + d + "-", envelopes.get(d), stored, refused, deadline));
      } finally {
        clients.forEach(Client::close);
      }
      if (stored.get() != messages) {
        throw new BenchException(stored.get() + " of " + messages + " deposits stored (" + refused.get() + " refused)");
      }
      double depositsPerSecond = messages / depositSeconds;
      System.out.printf("* %,d deposits stored in %.2f s: %,.0f deposits/s%n", messages, depositSeconds, depositsPerSecond);

      long start = System.nanoTime();
      int received;
      try (Client c = new Client(server, bob, random)) {
        if (!c.register("bob")) {
          throw new BenchException("the recipient did not register");
        }
        received = c.pickUp(messages, bob, deadline);
      }
      double pickUpSeconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("* %,d messages picked up and acknowledged in %.2f s (%,.0f/s)%n", received, pickUpSeconds,
          received / pickUpSeconds);
      System.out.printf("%n%-10s %-11s %14s %16s%n", "messages", "depositors", "deposits/s", "pick-up (s)");
      System.out.printf("%-10s %-11s %14s %16s%n%n", String.format("%,d", messages), depositors,
          String.format("%,.0f", depositsPerSecond), String.format("%.2f", pickUpSeconds));
      System.out.println("mailbox_messages=" + messages);
      System.out.println("mailbox_depositors=" + depositors);
      System.out.printf("mailbox_deposits_per_s=%.0f%n", depositsPerSecond);
      System.out.printf("mailbox_pickup_s=%.2f%n", pickUpSeconds);
    }
  }

  /** One client of the rendezvous on its own loopback socket, in its own sealed control session. */
  private static final class Client implements AutoCloseable {
    final DatagramSocket socket;
    final InetSocketAddress server;
    final ControlClient control;
    final NodeIdentity key;

    Client(InetSocketAddress server, NodeIdentity key, SecureRandom random) throws IOException {
      this.server = server;
      this.key = key;
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(RendezvousInstance.HOST), 0));
      socket.setReceiveBufferSize(4 << 20);
      socket.setSoTimeout(RegistrationLoad.ANSWER_TIMEOUT_MS);
      control = new ControlClient(key, server.getHostString() + ":" + server.getPort(),
          KnownServers.empty(Path.of("unsaved-known-servers")), io.p2pchat.control.ControlCodec.SUITE, random,
          System::currentTimeMillis);
    }

    static Client registered(InetSocketAddress server, NodeIdentity key, String nick, SecureRandom random)
        throws IOException {
      Client c = new Client(server, key, random);
      if (!c.register(nick)) {
        c.close();
        throw new BenchException(nick + " did not register");
      }
      return c;
    }

    boolean register(String nick) throws IOException {
      return RegistrationLoad.registerWith(socket, server, control, key,
          RegistrationLoad.registration(key, nick, "mailbox-bench", nick + "-1"));
    }

    void send(JsonObject msg) throws IOException {
      byte[] out = control.seal(msg.toBuffer().getBytes(), System.nanoTime());
      socket.send(new DatagramPacket(out, out.length, server));
    }

    /** The next control message, or null after {@link #POLL_MS}. */
    JsonObject poll() throws IOException {
      return poll(POLL_MS);
    }

    /** The next control message, or null after {@code timeoutMs}. */
    JsonObject poll(int timeoutMs) throws IOException {
      socket.setSoTimeout(timeoutMs);
      byte[] in = RegistrationLoad.receive(socket);
      if (in == null || !(control.onDatagram(in, System.nanoTime()) instanceof ControlClient.Event.Message m)) {
        return null;
      }
      try {
        return ControlCodec.decodeBody(Buffer.buffer(m.payload()));
      } catch (WireException e) {
        return null;
      }
    }

    /** Deposits every envelope (one part each), {@link #WINDOW} outstanding, each resent until answered. */
    void depositAll(byte[] to, String prefix, List<byte[]> envelopes, AtomicLong stored, AtomicLong refused,
        long deadline) throws IOException {
      Map<String, long[]> outstanding = new LinkedHashMap<>(); // did -> {index, sent at}
      int next = 0;
      while ((next < envelopes.size() || !outstanding.isEmpty()) && System.nanoTime() < deadline) {
        while (next < envelopes.size() && outstanding.size() < WINDOW) {
          String did = prefix + next;
          send(MailboxControl.split(did, to, envelopes.get(next)).get(0).toJson());
          outstanding.put(did, new long[] {next, System.nanoTime()});
          next++;
        }
        JsonObject answer = poll();
        if (answer != null && outstanding.containsKey(answer.getString("did"))) {
          String t = answer.getString("t");
          if ("refused".equals(t)) {
            refused.incrementAndGet();
            outstanding.remove(answer.getString("did"));
          } else if ("deposited".equals(t) && answer.containsKey("seq")) {
            stored.incrementAndGet();
            outstanding.remove(answer.getString("did"));
          }
        }
        long now = System.nanoTime();
        for (Map.Entry<String, long[]> e : outstanding.entrySet()) {
          if (now - e.getValue()[1] > RESEND_NANOS) {
            send(MailboxControl.split(e.getKey(), to, envelopes.get((int) e.getValue()[0])).get(0).toJson());
            e.getValue()[1] = now;
          }
        }
      }
    }

    /** Receives {@code count} distinct messages, acknowledging each; opens the first to show it is bob's. */
    int pickUp(int count, NodeIdentity recipient, long deadline) throws Exception {
      Set<Long> seen = new HashSet<>();
      List<Long> unacked = new ArrayList<>();
      while (seen.size() < count && System.nanoTime() < deadline) {
        // Nothing more within a millisecond: the burst is over, its ack goes now.
        JsonObject msg = poll(unacked.isEmpty() ? POLL_MS : ACK_FLUSH_MS);
        // Acks go in batches of up to 32 seqs (what arrived together), as a node sends them: the rendezvous
        // allows a client 1000 mailbox messages a second, so one ack per message would cap a pick-up at 1000/s.
        if ((msg == null || unacked.size() == MailboxControl.MAX_ACK_IDS) && !unacked.isEmpty()) {
          send(new MailboxControl.Ack(MailboxControl.Type.MAIL_ACK, unacked).toJson());
          unacked.clear();
        }
        if (msg == null || !"mail".equals(msg.getString("t"))) {
          continue;
        }
        MailboxControl.MailPart part = MailboxControl.decodeMail(msg);
        if (seen.isEmpty()) {
          MailboxSeal.open(recipient, part.data()); // throws unless sealed to bob, whole
        }
        seen.add(part.seq());
        unacked.add(part.seq());
      }
      if (!unacked.isEmpty()) {
        send(new MailboxControl.Ack(MailboxControl.Type.MAIL_ACK, unacked).toJson());
      }
      if (seen.size() < count) {
        throw new BenchException("picked up " + seen.size() + " of " + count + " before the deadline");
      }
      return seen.size();
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
