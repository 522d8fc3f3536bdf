package io.p2pchat.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.p2pchat.node.ChatNodeVerticle;
import io.p2pchat.rendezvous.RendezvousHarness;
import io.p2pchat.rendezvous.UdpClient;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.Probe;
import io.p2pchat.wire.ProbeCodec;
import io.p2pchat.wire.RelayCodec;
import io.p2pchat.wire.StunCodec;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.p2pchat.rendezvous.RendezvousHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends 100,000 random and mutated datagrams (mutations of every valid kind, so parsers are reached
 * past the first byte) at a running rendezvous and a running client node, paced so no kernel
 * buffer drops any; then checks that both still serve, that the heap stayed bounded, that no
 * handler threw, and that every datagram was answered or counted.
 */
class DatagramFuzzTest {

  /** Fixed, printed: a failure replays with the same datagrams. */
  private static final long SEED = Long.getLong("fuzz.seed", 0x5EED_F022L);
  private static final int TO_RENDEZVOUS = 60_000;
  private static final int TO_CLIENT = 40_000;
  /** Datagrams between two waits for the receivers' counters to catch up: far below any socket buffer. */
  private static final int BATCH = 1000;
  /** Between two looks at the receivers' counters: short, and leaves their event loops to work. */
  private static final long POLL_NANOS = 1_000_000;
  /** Generous for a loaded 2-core machine. */
  private static final long CATCH_UP_NANOS = 30_000_000_000L;
  /** Heap growth allowed after GC: the fuzz creates no lasting state, so anything large is a leak. */
  private static final long HEAP_GROWTH_BOUND = 64L << 20;
  private static final byte[][] INTERESTING = {
    {0}, {(byte) 0xFF}, {0x7F}, {(byte) 0x80}, {'"'}, {'{'}, {'}'}, {'\\'}, {'['}, {':'}, {','}, {(byte) 0xD7}, {1}, {2},
  };

  private final Random random = new Random(SEED);
  private RendezvousHarness server;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  /** The client whose control session seals the server corpus (its datagrams leave from the fuzzer's socket: sessions roam). */
  private UdpClient shape;
  /** The control messages of the server corpus, for {@link #mutateJson}: mutated, then sealed again. */
  private final List<JsonObject> jsonCorpus = new ArrayList<>();
  private final BugCounter bugs = new BugCounter();

  /** Counts ERROR lines that say BUG, from any p2pchat logger (synchronously, no log file race). */
  private static final class BugCounter extends AppenderBase<ILoggingEvent> {
    final AtomicLong count = new AtomicLong();
    final List<String> first = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent e) {
      if (e.getLevel().isGreaterOrEqual(Level.ERROR) && e.getFormattedMessage().contains("BUG")) {
        count.incrementAndGet();
        synchronized (first) {
          if (first.size() < 5) {
            first.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()));
          }
        }
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger("io.p2pchat")).detachAppender(bugs);
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void randomAndMutatedDatagramsBreakNothing() throws Exception {
    System.out.println("DatagramFuzzTest seed " + SEED + " (rerun with -Dfuzz.seed=" + SEED + ")");
    bugs.start();
    ((Logger) LoggerFactory.getLogger("io.p2pchat")).addAppender(bugs);
    // Limits lifted: the point is to reach the parsers, not the rate limiter (tested on its own).
    server = new RendezvousHarness(new JsonObject().put("requestsPerSecond", 1_000_000_000).put("requestBurst", 1_000_000_000)
      .put("requestsPerSecondPerHost", 1_000_000_000).put("requestBurstPerHost", 1_000_000_000));
    ChatNodeVerticle alice = startNode("alice");
    ChatNodeVerticle bob = startNode("bob");
    awaitChat("before the fuzz");

    Counted toServer = new Counted(server.port());
    Counted toClient = new Counted(alice.port());
    // A peer in the fuzzer's room so that a fuzzed connect reaches the introduction code.
    UdpClient peer = new UdpClient(server.port(), "fuzzpeer", "fuzz");
    closeables.add(peer);
    peer.register();
    List<byte[]> serverCorpus = serverCorpus(toServer);
    List<byte[]> clientCorpus = clientCorpus();

    long heapBefore = heapAfterGc();
    JsonObject serverStart = server.stats();
    long clientDropsStart = clientDrops();
    long started = System.nanoTime();
    int sentServer = 0;
    int sentClient = 0;
    while (sentServer < TO_RENDEZVOUS || sentClient < TO_CLIENT) {
      for (int i = 0; i < BATCH; i++) {
        if (sentServer < TO_RENDEZVOUS && (sentClient >= TO_CLIENT || random.nextInt(11) < 7)) {
          toServer.send(next(serverCorpus, true));
          sentServer++;
        } else if (sentClient < TO_CLIENT) {
          toClient.send(next(clientCorpus, false));
          sentClient++;
        }
      }
      awaitAccounted(serverStart, clientDropsStart, sentServer, sentClient, toClient);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long heapAfter = heapAfterGc();

    JsonObject s = server.stats();
    long received = s.getLong("received") - serverStart.getLong("received");
    long answered = s.getLong("answered") - serverStart.getLong("answered");
    long handled = s.getLong("handled") - serverStart.getLong("handled");
    long dropped = s.getJsonObject("drops").getLong("total") - serverStart.getJsonObject("drops").getLong("total");
    long clientDropped = clientDrops() - clientDropsStart;
    System.out.printf("fuzz: %d datagrams in %.1f s (%.0f/s); rendezvous: received %d, answered %d, handled %d,"
        + " dropped %d %s, replies seen %d; client: dropped %d %s, answered %d; heap %d -> %d MB%n",
      sentServer + sentClient, seconds, (sentServer + sentClient) / seconds, received, answered, handled, dropped,
      s.getJsonObject("drops").encode(), toServer.replies.get(), clientDropped, clientStats().getJsonObject("drops").encode(),
      toClient.replies.get(), heapBefore >> 20, heapAfter >> 20);

    assertEquals(0, bugs.count.get(), "handlers threw: " + bugs.first);
    assertEquals(0, s.getLong("bugs"));
    // The nodes' own keep-alives reach the rendezvous too: a few, never many.
    assertTrue(received >= sentServer && received - sentServer < sentServer / 100, "every datagram reached the rendezvous: "
      + received + " of " + sentServer);
    assertEquals(0, kernelDrops(server.port()), "the rendezvous socket's buffer never overflowed");
    assertEquals(0, kernelDrops(alice.port()), "the client socket's buffer never overflowed");
    // A handshake still on a worker (deferred) is answered or dropped when its work is done.
    assertEquals(received, answered + handled + dropped + s.getInteger("deferred"),
      "every datagram answered, handled, dropped or deferred: " + s.encode());
    assertTrue(toServer.replies.get() >= answered, "answers arrived");
    assertEquals(sentClient, clientDropped + toClient.replies.get(), "every datagram to the client answered or counted");
    assertTrue(heapAfter - heapBefore < HEAP_GROWTH_BOUND, "heap grew from " + heapBefore + " to " + heapAfter);

    // Both still serve.
    try (UdpClient nc = new UdpClient(server.port(), "nc", "lobby")) {
      nc.sendText("punch");
      assertEquals("punched", new String(nc.receive(), StandardCharsets.US_ASCII));
    }
    awaitChat("after the fuzz");
    assertTrue(bob.port() > 0);
  }

  // ---------------------------------------------------------------- nodes

  private ChatNodeVerticle startNode(String nick) throws IOException {
    Path data = Path.of("target", "fuzz-data", nick);
    if (Files.exists(data)) {
      try (Stream<Path> files = Files.walk(data)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    ChatNodeVerticle node = new ChatNodeVerticle();
    JsonObject config = new JsonObject().put("nick", nick).put("eventBusPrefix", nick)
      .put("rendezvous", new JsonObject().put("host", "127.0.0.1").put("port", server.port()))
      .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("logDir", "target/fuzz-logs").put("dataDir", data.toString());
    await(server.vertx.deployVerticle(node, new DeploymentOptions().setConfig(config)));
    return node;
  }

  /** alice sends {@code text} to bob (retrying while the path is still being punched) and bob receives it. */
  private void awaitChat(String text) {
    io.vertx.core.Promise<Void> got = io.vertx.core.Promise.promise();
    var consumer = server.vertx.eventBus().<JsonObject>consumer("bob.chat.received", m -> {
      if (text.equals(m.body().getString("text"))) {
        got.tryComplete();
      }
    });
    long deadline = System.nanoTime() + CATCH_UP_NANOS;
    boolean sent = false;
    while (!sent && System.nanoTime() < deadline) {
      JsonArray peers = await(server.vertx.eventBus().<JsonObject>request("alice.peers", null)).body().getJsonArray("peers");
      boolean up = peers.stream().map(JsonObject.class::cast)
        .anyMatch(p -> "bob".equals(p.getString("nick")) && p.getString("state").startsWith("direct"));
      if (up) {
        await(server.vertx.eventBus().request("alice.chat.send", new JsonObject().put("text", text).put("to", "bob")));
        sent = true;
      }
    }
    assertTrue(sent, "alice never reached bob");
    await(got.future());
    consumer.unregister();
  }

  private long clientDrops() {
    return clientStats().getJsonObject("drops").getLong("total");
  }

  private JsonObject clientStats() {
    return await(server.vertx.eventBus().<JsonObject>request("alice.punch.stats", null)).body();
  }

  private void awaitAccounted(JsonObject serverStart, long clientDropsStart, int sentServer, int sentClient, Counted toClient) {
    long deadline = System.nanoTime() + CATCH_UP_NANOS;
    while (true) {
      long seen = server.stats().getLong("received") - serverStart.getLong("received");
      long clientAccounted = clientDrops() - clientDropsStart + toClient.replies.get();
      if (seen >= sentServer && clientAccounted >= sentClient) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("receivers did not catch up (kernel drops?): rendezvous saw " + seen + " of " + sentServer
          + ", client accounted " + clientAccounted + " of " + sentClient);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** The kernel's count of datagrams dropped on the UDP socket bound to {@code port} (0 if unknown). */
  private static long kernelDrops(int port) throws IOException {
    long drops = 0;
    for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
      Path file = Path.of(table);
      if (!Files.isReadable(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 12 && f[1].contains(":") && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port
          && f[f.length - 1].matches("\\d+")) {
          drops += Long.parseLong(f[f.length - 1]);
        }
      }
    }
    return drops;
  }

  private static long heapAfterGc() {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      min = Math.min(min, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return min;
  }

  // ---------------------------------------------------------------- the fuzzer's sockets

  /** A socket sending to one target and counting what comes back from it. */
  private final class Counted implements AutoCloseable {
    final DatagramSocket socket;
    final InetSocketAddress target;
    final AtomicLong replies = new AtomicLong();
    final java.util.concurrent.atomic.AtomicReference<byte[]> last = new java.util.concurrent.atomic.AtomicReference<>();
    final Thread reader;

    Counted(int port) throws IOException {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      socket.setReceiveBufferSize(4 << 20);
      target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      reader = new Thread(this::read, "fuzz-reader-" + port);
      reader.setDaemon(true);
      reader.start();
      closeables.add(this);
    }

    private void read() {
      byte[] buf = new byte[65536];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
          if (p.getSocketAddress().equals(target)) {
            last.set(Arrays.copyOf(buf, p.getLength()));
            replies.incrementAndGet();
          }
        } catch (IOException closed) {
          return;
        }
      }
    }

    void send(byte[] data) throws IOException {
      socket.send(new DatagramPacket(data, data.length, target));
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  // ---------------------------------------------------------------- corpus and mutations

  /**
   * Valid datagrams of every kind the rendezvous takes. The signed register carries a cookie for the
   * fuzzer's own address (from a real register/challenge exchange), so as sent unchanged it
   * registers the fuzzer, and its mutations reach the signature check.
   */
  private List<byte[]> serverCorpus(Counted fuzzer) throws IOException {
    shape = new UdpClient(server.port(), "fuzzer", "fuzz");
    closeables.add(shape);
    JsonObject registration = shape.registration();
    long before = fuzzer.replies.get();
    fuzzer.send(shape.encode(registration).getBytes());
    awaitReplies(fuzzer, before + 1);
    JsonObject challenge = shape.open(fuzzer.last.get());
    byte[] cookie = Base64.getDecoder().decode(challenge.getString(Control.COOKIE));
    jsonCorpus.addAll(List.of(registration, shape.signedRegistration(cookie), Control.of(ControlType.KEEPALIVE),
      Control.of(ControlType.LIST), Control.of(ControlType.CONNECT).put(Control.NICK, "fuzzpeer"), shape.signedBye()));
    List<byte[]> c = new ArrayList<>();
    for (JsonObject msg : jsonCorpus) {
      c.add(shape.encode(msg).getBytes());
    }
    // Protocol 1's cleartext control: dropped as unauthenticated.
    c.add(UdpClient.unsealed(registration).getBytes());
    c.addAll(commonCorpus());
    return c;
  }

  private void awaitReplies(Counted c, long count) {
    long deadline = System.nanoTime() + CATCH_UP_NANOS;
    while (c.replies.get() < count) {
      assertTrue(System.nanoTime() < deadline, "no reply");
      java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS);
    }
  }

  private List<byte[]> clientCorpus() {
    List<byte[]> c = new ArrayList<>(commonCorpus());
    c.add(PacketCodec.header(PacketType.CONTROL, 0, 1)
      .appendBuffer(Control.of(ControlType.INTRODUCE).put(Control.INTRO_ID, "1").toBuffer()).getBytes());
    return c;
  }

  private List<byte[]> commonCorpus() {
    List<byte[]> c = new ArrayList<>();
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    c.add(ProbeCodec.encode(new Probe(Probe.Kind.PUNCH, random.nextLong(), random.nextLong(), random.nextInt(), null), 1, secret).getBytes());
    c.add(ProbeCodec.encode(new Probe(Probe.Kind.PUNCHED, random.nextLong(), random.nextLong(), random.nextInt(),
      new Endpoint("127.0.0.1", 4000)), 2, secret).getBytes());
    c.add(ProbeCodec.encode(new Probe(Probe.Kind.PUNCHED, random.nextLong(), random.nextLong(), random.nextInt(),
      new Endpoint("::1", 4000)), 2, secret).getBytes());
    Buffer frames = Buffer.buffer()
      .appendByte((byte) 0x02).appendInt(0).appendInt(0).appendByte((byte) 1).appendInt(2).appendInt(5) // ACK
      .appendByte((byte) 0x01).appendInt(0).appendShort((short) 0).appendShort((short) 1).appendShort((short) 3)
      .appendString("hi!") // MSG
      .appendByte((byte) 0x03).appendLong(7) // PING
      .appendByte((byte) 0x06).appendInt(1) // FORGET
      .appendByte((byte) 0x05); // BYE
    Buffer data = PacketCodec.header(PacketType.DATA, random.nextInt(), 3).appendBuffer(frames);
    c.add(data.getBytes());
    c.add(PacketCodec.header(PacketType.HANDSHAKE, 0, 4).appendBytes(new byte[32]).getBytes());
    c.add(RelayCodec.encode(random.nextLong(), data).getBytes());
    byte[] tx = new byte[StunCodec.TRANSACTION_ID_SIZE];
    random.nextBytes(tx);
    c.add(StunCodec.bindingRequest(tx).getBytes());
    for (String plain : List.of("punch", "list", "list 2", "peer 1", "peer 3\n", "list" + " ".repeat(100))) {
      c.add(plain.getBytes(StandardCharsets.US_ASCII));
    }
    return c;
  }

  private byte[] next(List<byte[]> corpus, boolean json) {
    int pick = random.nextInt(100);
    byte[] base = corpus.get(random.nextInt(corpus.size()));
    if (pick < 8) {
      byte[] r = new byte[random.nextInt(1300)];
      random.nextBytes(r);
      return r;
    }
    if (pick < 16) {
      byte[] r = new byte[PacketCodec.HEADER_SIZE + random.nextInt(200)];
      random.nextBytes(r);
      r[0] = PacketCodec.MAGIC;
      r[1] = (byte) (1 + random.nextInt(5));
      r[2] = PacketCodec.VERSION;
      return r;
    }
    if (pick < 28) {
      return base;
    }
    if (pick < 50 && json) {
      byte[] j = mutateJson(corpus);
      if (j != null) {
        return j;
      }
    }
    byte[] m = base;
    for (int n = 1 + random.nextInt(4); n > 0; n--) {
      m = mutateBytes(m, corpus);
    }
    return m;
  }

  private byte[] mutateBytes(byte[] in, List<byte[]> corpus) {
    byte[] b = in.clone();
    int len = b.length;
    switch (random.nextInt(8)) {
      case 0:
        if (len > 0) {
          b[random.nextInt(len)] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
      case 1:
        if (len > 0) {
          byte[] v = INTERESTING[random.nextInt(INTERESTING.length)];
          b[random.nextInt(len)] = random.nextBoolean() ? v[0] : (byte) random.nextInt(256);
        }
        return b;
      case 2:
        return Arrays.copyOf(b, len == 0 ? 0 : random.nextInt(len));
      case 3: {
        byte[] tail = new byte[1 + random.nextInt(64)];
        random.nextBytes(tail);
        return concat(b, tail);
      }
      case 4: {
        int at = random.nextInt(len + 1);
        byte[] ins = new byte[1 + random.nextInt(16)];
        random.nextBytes(ins);
        return concat(concat(Arrays.copyOf(b, at), ins), Arrays.copyOfRange(b, at, len));
      }
      case 5: {
        if (len < 2) {
          return b;
        }
        int from = random.nextInt(len);
        int to = Math.min(len, from + 1 + random.nextInt(16));
        return concat(Arrays.copyOf(b, from), Arrays.copyOfRange(b, to, len));
      }
      case 6: {
        if (len < 2) {
          return b;
        }
        int from = random.nextInt(len);
        int to = Math.min(len, from + 1 + random.nextInt(32));
        return concat(concat(Arrays.copyOf(b, to), Arrays.copyOfRange(b, from, to)), Arrays.copyOfRange(b, to, len));
      }
      default: {
        byte[] other = corpus.get(random.nextInt(corpus.size()));
        int cut = random.nextInt(len + 1);
        int cut2 = random.nextInt(other.length + 1);
        return concat(Arrays.copyOf(b, cut), Arrays.copyOfRange(other, cut2, other.length));
      }
    }
  }

  /** A control message with one field changed, added or removed, sealed: reaches the field validation. */
  private byte[] mutateJson(List<byte[]> corpus) {
    if (jsonCorpus.isEmpty()) {
      return null;
    }
    JsonObject msg = jsonCorpus.get(random.nextInt(jsonCorpus.size())).copy();
    List<String> keys = new ArrayList<>(msg.fieldNames());
    String key = random.nextInt(8) == 0 ? "x" + random.nextInt(3) : keys.get(random.nextInt(keys.size()));
    Object[] values = {null, 0, -1, Long.MAX_VALUE, 1e308, "", "a".repeat(300), "a".repeat(1000), new JsonArray(),
      new JsonArray().add(1).add("x"), new JsonObject(), new JsonObject().put("a", new JsonObject()), true, "register",
      "ünïcödé ☃", "127.0.0.1:1", "[::1]:99999", "AAAA", Base64.getEncoder().encodeToString(new byte[32]),
      Base64.getEncoder().encodeToString(new byte[64]), "lobby", "fuzzpeer", "fuzzer",
      new JsonArray().add("1.2.3.4:5").add("1.2.3.4:5").add("1.2.3.4:5").add("1.2.3.4:5").add("1.2.3.4:5")
        .add("1.2.3.4:5").add("1.2.3.4:5").add("1.2.3.4:5").add("1.2.3.4:5")};
    if (random.nextInt(6) == 0) {
      msg.remove(key);
    } else {
      msg.put(key, values[random.nextInt(values.length)]);
    }
    if (msg.toBuffer().length() > io.p2pchat.control.ControlCodec.MAX_PLAINTEXT) {
      return null;
    }
    return shape.encode(msg).getBytes();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
