package io.p2pchat.mailbox;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.app.P2pChatLauncher;
import io.p2pchat.node.ChatNodeVerticle;
import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 across {@code kill -9}: of the rendezvous halfway through a hundred deposits (it comes back on its data
 * dir and port), and of a sender with queued messages (their receipts reach it when it comes back). The killed
 * party is a child JVM ({@link P2pChatLauncher}); the others run in this one.
 */
@ExtendWith(VertxExtension.class)
@Timeout(300)
class MailboxKillTest {

  private static final int MESSAGES = 100;
  /** Messages of the sender-crash case: a few are enough, the point is the receipts after the restart. */
  private static final int QUEUED_BEFORE_CRASH = 5;
  /** A JVM start, a re-registration after a restart, a hundred deposits: bounded generously for a 2-core machine. */
  private static final long WAIT_S = 120;
  /** How often a test reads a file or asks a process: a busy loop would starve the child on two cores. */
  private static final long POLL_MS = 100;

  private static List<String> java(Path dir, String verticle, JsonObject conf) {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
      "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), P2pChatLauncher.class.getName(), "run",
      verticle, "-conf", conf.encode());
  }

  private static Process start(Path dir, String name, String verticle, JsonObject conf) throws IOException {
    return new ProcessBuilder(java(dir, verticle, conf)).directory(dir.toFile())
      .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile()))
      .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".err").toFile()))
      .start();
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Waits until the rendezvous on {@code port} answers a plain {@code punch}. */
  private static void awaitRendezvous(int port, Process p, Path err) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout((int) POLL_MS * 5);
      byte[] request = ("punch" + " ".repeat(40)).getBytes(StandardCharsets.US_ASCII);
      while (true) {
        if (System.nanoTime() > deadline || !p.isAlive()) {
          throw new AssertionError("the rendezvous did not come up: " + Files.readString(err));
        }
        socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
        try {
          DatagramPacket answer = new DatagramPacket(new byte[64], 64);
          socket.receive(answer);
          if (new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII).startsWith("punched")) {
            return;
          }
        } catch (java.net.SocketTimeoutException again) {
          // not listening yet
        }
      }
    }
  }

  private static void kill9(Process p) throws InterruptedException {
    p.destroyForcibly().waitFor(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void aRendezvousKilledHalfwayThroughAHundredDepositsLosesNoneAndShowsNoneTwice(Vertx vertx, @TempDir Path dir)
      throws Exception {
    int port = freeUdpPort();
    JsonObject rdvConf = new JsonObject().put("host", "127.0.0.1").put("port", port)
      .put("tls", new JsonObject().put("port", 0))
      .put("logDir", dir.resolve("rdv-logs").toString()).put("dataDir", dir.resolve("rdv-data").toString());
    Process rdv = start(dir, "rdv", RendezvousVerticle.class.getName(), rdvConf);
    try {
      awaitRendezvous(port, rdv, dir.resolve("rdv.err"));
      TestNet net = new TestNet(vertx, dir);
      // Keep-alives every second: alice finds the restarted rendezvous (and registers again) within seconds.
      JsonObject aliceConfig = net.nodeConfig("alice", port).put("keepAliveSeconds", 1);
      JsonObject bobConfig = net.nodeConfig("bob", port);
      Node alice = net.node(aliceConfig);
      Node bob = net.node(bobConfig);
      alice.awaitPeer("bob", "direct-lan");
      alice.awaitDelivered(alice.sendTo("bob", "hi bob"), "bob");
      await(bob.undeploy());
      alice.awaitPeer("bob", "gone");

      List<String> texts = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 1; i <= MESSAGES; i++) {
        texts.add("crash " + i);
        ids.add(alice.sendTo("bob", "crash " + i));
      }
      alice.events.awaitCount(Events.QUEUED, e -> true, MESSAGES / 2, WAIT_S);
      kill9(rdv); // halfway: some deposits stored, one in flight, the rest waiting
      rdv = start(dir, "rdv", RendezvousVerticle.class.getName(), rdvConf);
      awaitRendezvous(port, rdv, dir.resolve("rdv.err"));
      List<JsonObject> queued = alice.events.awaitCount(Events.QUEUED, e -> true, MESSAGES, WAIT_S);
      assertEquals(Set.copyOf(ids), queued.stream().map(e -> e.getString("id")).collect(Collectors.toSet()));
      assertTrue(alice.events.all(Events.FAILED).isEmpty(), alice.events.all(Events.FAILED).toString());
      await(alice.undeploy());

      Node bobAgain = net.node(bobConfig);
      bobAgain.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith("crash "), MESSAGES, WAIT_S);
      Node aliceAgain = net.node(aliceConfig);
      List<JsonObject> delivered = aliceAgain.events.awaitCount(Events.DELIVERED,
        e -> ids.contains(e.getString("id")), MESSAGES, WAIT_S);
      assertEquals(Set.copyOf(ids), delivered.stream().map(e -> e.getString("id")).collect(Collectors.toSet()));
      List<String> shown = bobAgain.events.all(Events.RECEIVED).stream().map(e -> e.getString("text"))
        .filter(t -> t.startsWith("crash ")).toList();
      assertEquals(texts, shown, "all 100, once each, in order");
    } finally {
      kill9(rdv);
    }
  }

  /** Lines of alice's probe file that {@code match}. */
  private static List<String[]> probe(Path file, Predicate<String[]> match) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream().map(l -> l.split(" ")).filter(match).toList();
  }

  private static List<String[]> awaitProbe(Path file, Predicate<String[]> match, int n, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (true) {
      List<String[]> lines = probe(file, match);
      if (lines.size() >= n) {
        return lines;
      }
      if (System.nanoTime() > deadline || !p.isAlive()) {
        throw new AssertionError("waited for " + n + " probe lines, saw " + lines.size() + ": "
          + (Files.exists(file) ? Files.readString(file) : "no file"));
      }
      Thread.sleep(POLL_MS); // polling a child's file: there is nothing to wait on in this JVM
    }
  }

  private static void type(Writer stdin, String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  @Test
  void aSenderKilledWithQueuedMessagesGetsTheirReceiptsWhenItComesBack(Vertx vertx, @TempDir Path dir)
      throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject().put("dataDir", dir.resolve("rdv-data").toString()));
    JsonObject bobConfig = net.nodeConfig("bob", r.port());
    Node bob = net.node(bobConfig);
    Path firstRun = dir.resolve("alice-1.events");
    Path secondRun = dir.resolve("alice-2.events");
    JsonObject aliceConfig = net.nodeConfig("alice", r.port()).put("console", true)
      .put("extensions", new JsonArray().add(MailboxProbe.class.getName()))
      .put("extensionConfig", new JsonObject().put("probeFile", firstRun.toString()));
    Process alice = new ProcessBuilder(java(dir, ChatNodeVerticle.class.getName(), aliceConfig))
      .directory(dir.toFile())
      .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("alice.out").toFile()))
      .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("alice.err").toFile())).start();
    try {
      Writer stdin = new OutputStreamWriter(alice.getOutputStream(), StandardCharsets.UTF_8);
      bob.awaitPeer("alice", "direct-lan");
      awaitProbe(firstRun, l -> l[0].equals("peer") && l[1].equals("bob") && l[2].equals("direct-lan"), 1, alice);
      type(stdin, "/msg bob hi bob");
      bob.awaitReceived("alice", "hi bob");
      await(bob.undeploy());
      awaitProbe(firstRun, l -> l[0].equals("peer") && l[1].equals("bob") && l[2].equals("gone"), 1, alice);
      for (int i = 1; i <= QUEUED_BEFORE_CRASH; i++) {
        type(stdin, "/msg bob while you were away " + i);
      }
      List<String> ids = awaitProbe(firstRun, l -> l[0].equals("queued") && l[2].equals("bob"), QUEUED_BEFORE_CRASH,
        alice).stream().map(l -> l[1]).toList();
      kill9(alice);

      Node bobAgain = net.node(bobConfig);
      bobAgain.events.awaitCount(Events.RECEIVED, e -> e.getString("text").startsWith("while you were away"),
        QUEUED_BEFORE_CRASH, WAIT_S);

      aliceConfig.put("extensionConfig", new JsonObject().put("probeFile", secondRun.toString()));
      alice = start(dir, "alice", ChatNodeVerticle.class.getName(), aliceConfig.put("console", false));
      List<String> delivered = awaitProbe(secondRun, l -> l[0].equals("delivered") && ids.contains(l[1]),
        QUEUED_BEFORE_CRASH, alice).stream().map(l -> l[1]).toList();
      assertEquals(Set.copyOf(ids), Set.copyOf(delivered));
    } finally {
      kill9(alice);
    }
  }
}
