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
    Path shared = Files.createDirectory(dir.resolve("data-carol"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
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
    Path log = logs.resolve("alice.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOG_LINE_SECONDS);
    while (!Files.readString(log).contains("port mapping: idle -> probing")) {
      assertTrue(System.nanoTime() < deadline, "no port-mapping line in alice.log within " + LOG_LINE_SECONDS + " s: "
        + Files.readString(log));
      Thread.sleep(POLL_MS);
    }
    String line = Files.readAllLines(log).stream().filter(l -> l.contains("port mapping: idle -> probing")).findFirst()
      .orElseThrow();
    assertTrue(line.contains("[alice] port mapping"), line);
    TestNet.await(alice.undeploy());
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
