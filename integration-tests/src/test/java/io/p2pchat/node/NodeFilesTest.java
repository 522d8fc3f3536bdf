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

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
