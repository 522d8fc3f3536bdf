package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.app.P2pChatLauncher;
import io.p2pchat.node.TestNet;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a rendezvous keeps on disk is its operator's alone, as a node's is (issue 15, "Trust"): its
 * data and log directories are 0700, its key, TLS key and log file 0600 (the log names every client's
 * nick and addresses); a log directory others may write stops start-up with one line.
 */
@ExtendWith(VertxExtension.class)
class RendezvousFilesTest {

  @Test
  void aRendezvousFilesAreOwnerOnly(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    Path data = dir.resolve("rdv-data");
    Path logs = dir.resolve("rdv-logs");
    net.rendezvous(new JsonObject().put("dataDir", data.toString()).put("logDir", logs.toString()));
    assertEquals("rwx------", permissions(data));
    assertEquals("rwx------", permissions(logs));
    for (Path file : new Path[] {data.resolve("rendezvous.key"), data.resolve("tls-key.pem"), logs.resolve("rendezvous.log")}) {
      assertTrue(Files.size(file) > 0, file + " written");
      assertEquals("rw-------", permissions(file), file.toString());
    }
  }

  @Test
  void aLogDirectoryOthersMayWriteStopsStartUp(Vertx vertx, @TempDir Path dir) throws Exception {
    Path shared = Files.createDirectory(dir.resolve("rdv-logs"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("tls", new JsonObject().put("port", -1))
      .put("logDir", shared.toString()).put("dataDir", dir.resolve("rdv-data").toString());
    ExecutionException refused = assertThrows(ExecutionException.class, () -> TestNet.await(vertx.deployVerticle(
      new RendezvousVerticle(), new DeploymentOptions().setConfig(config))));
    assertEquals("config error: " + shared + " may be written by its group or others (rwxrwxrwx): chmod go-w " + shared,
      P2pChatLauncher.describe(refused.getCause()));
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
