package io.p2pchat.node;

import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a node keeps on disk is its owner's alone (issue 15, "Trust"): after two nodes met and
 * chatted, the data directory and the log directory are 0700 and the key, known_peers, the history
 * journal and the log file 0600; a data directory others may write stops start-up with one line.
 */
@ExtendWith(VertxExtension.class)
class NodeFilesTest {

  /** A log line reaches its file within a second (the asynchronous appender); generous for a loaded machine. */
  private static final long LOG_LINE_SECONDS = 20;
  /** How often the test reads the log file again. */
  private static final long POLL_MS = 50;

  @Test
  void aNodesFilesAreOwnerOnly(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject());
    // Her own log directory: the rendezvous' logging made the shared one before she started.
    Node alice = net.node(net.nodeConfig("alice", rendezvous.port()).put("logDir", dir.resolve("alice-logs").toString()));
    Node bob = net.node("bob", rendezvous.port());
    alice.awaitPeer("bob", "direct-lan");
    String id = alice.sendTo("bob", "for bob only");
    alice.awaitDelivered(id, "bob");
    TestNet.await(alice.undeploy()); // history flushed, known_peers saved

    Path data = dir.resolve("data-alice");
    assertEquals("rwx------", permissions(data));
    assertEquals("rwx------", permissions(dir.resolve("alice-logs")));
    for (Path file : new Path[] {data.resolve("identity.key"), data.resolve("known_peers"), data.resolve("history.journal"),
        dir.resolve("alice-logs").resolve("alice.log")}) {
      assertTrue(Files.size(file) > 0, file + " written");
      assertEquals("rw-------", permissions(file), file.toString());
    }
    TestNet.await(bob.undeploy());
  }

  @Test
  void aDataDirectoryOthersMayWriteStopsStartUp(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject());
    Path shared = dataDirectory(dir, "carol", "rwxrwxr-x");
    ExecutionException refused = assertThrows(ExecutionException.class, () -> TestNet.await(vertx.deployVerticle(
      new ChatNodeVerticle(), new DeploymentOptions().setConfig(net.nodeConfig("carol", rendezvous.port())))));
    assertEquals("config error: " + shared + " may be written by its group or others (rwxrwxr-x): chmod go-w " + shared,
      io.p2pchat.app.P2pChatLauncher.describe(refused.getCause()));
  }

  /**
   * The port mapper's lines are the node's like every other: in {@code <logDir>/<nick>.log}, stamped with its
   * nick. They went to the launcher's catch-all {@code logs/p2pchat.log} (readable by others) as {@code [main]},
   * so with two nodes in a process nobody could tell whose gateway said what.
   */
  @Test
  void thePortMappersLinesGoToTheNodesOwnLog(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject());
    Path logs = dir.resolve("alice-logs");
    // Bound to every interface, as a user's node is (one bound to loopback maps nothing); no mDNS from a test.
    JsonObject config = net.nodeConfig("alice", rendezvous.port()).put("logDir", logs.toString())
      .put("lan", new JsonObject().put("discovery", false));
    config.getJsonObject("bind").put("host", "0.0.0.0");
    Node alice = net.node(config);
    String line = awaitLine(logs.resolve("alice.log"), "port mapping: idle -> probing");
    assertTrue(line.contains("[alice] port mapping"), line);
    TestNet.await(alice.undeploy());
  }

  /**
   * A data directory an earlier version made 0755 (or an operator opened on purpose) keeps working, as
   * before, and the node now says so at start, with the command that closes it, in its log (and so on
   * stderr, where the launcher shows WARN lines): its history and keys were readable by anyone on the machine.
   */
  @Test
  void aDataDirectoryOthersMayReadStartsWithAWarningSayingHowToCloseIt(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject());
    Path earlier = dataDirectory(dir, "dave", "rwxr-xr-x");
    Path logs = dir.resolve("dave-logs");
    Node dave = net.node(net.nodeConfig("dave", rendezvous.port()).put("logDir", logs.toString()));
    String line = awaitLine(logs.resolve("dave.log"), "may be read");
    assertTrue(line.contains("WARN") && line.endsWith("[dave] " + earlier + " may be read by its group or others"
      + " (rwxr-xr-x): chmod go-rwx " + earlier + " to keep it private"), line);
    assertEquals("rwxr-xr-x", permissions(earlier), "kept as the operator left it");
    assertEquals(1, Files.readAllLines(logs.resolve("dave.log")).stream().filter(l -> l.contains("may be read")).count(),
      "only the data directory: the log directory and file the node made are owner-only");
    TestNet.await(dave.undeploy());
  }

  /** The data directory TestNet gives {@code nick}, made beforehand with {@code permissions}. */
  private static Path dataDirectory(Path dir, String nick, String permissions) throws Exception {
    Path data = Files.createDirectory(dir.resolve("data-" + nick));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString(permissions));
    return data;
  }

  /** The first line of {@code log} containing {@code part}, once the asynchronous appender wrote it. */
  private static String awaitLine(Path log, String part) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOG_LINE_SECONDS);
    while (!Files.exists(log) || !Files.readString(log).contains(part)) {
      assertTrue(System.nanoTime() < deadline, "no '" + part + "' line in " + log + " within " + LOG_LINE_SECONDS + " s");
      Thread.sleep(POLL_MS);
    }
    return Files.readAllLines(log).stream().filter(l -> l.contains(part)).findFirst().orElseThrow();
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
