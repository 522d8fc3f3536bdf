package io.p2pchat.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.client.ChatClient;
import io.p2pchat.client.ChatNode;
import io.p2pchat.client.ChatNodeOptions;
import io.p2pchat.client.Delivery;
import io.p2pchat.client.ReceivedMessage;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The greeter as its users run it: its node deployed through the typed API against a real rendezvous
 * on loopback, a second node talking to it both ways, and the app's log lines in the file its own
 * logback.xml names.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class GreeterAppTest {

  /** Longest wait for any one event: generous for a loaded 2-core machine, far under the test timeout. */
  private static final long WAIT_SECONDS = 20;

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
    T item = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(item, "nothing within " + WAIT_SECONDS + " s");
    return item;
  }

  private static ChatNodeOptions node(String nick, int rendezvousPort, Path dir) {
    return new ChatNodeOptions().setNick(nick).setEventBusPrefix(nick)
      .setRendezvousHost("127.0.0.1").setRendezvousPort(rendezvousPort)
      .setBindHost("127.0.0.1").setBindPort(0)
      .setDataDir(dir.resolve(nick).toString()).setLogDir(dir.resolve("logs").toString());
  }

  @Test
  void greetsAPeerAnswersItAndLogsWhereItsLogbackXmlSays(Vertx vertx, @TempDir Path dir) throws Exception {
    RendezvousVerticle rendezvous = new RendezvousVerticle();
    await(vertx.deployVerticle(rendezvous, new DeploymentOptions().setConfig(new JsonObject()
      .put("host", "127.0.0.1").put("port", 0).put("logDir", dir.resolve("logs").toString())
      .put("tls", new JsonObject().put("port", -1)))));

    // A nick of this run only, so lines of an earlier run in the same log file cannot pass for ours.
    String peer = "bob-" + UUID.randomUUID().toString().substring(0, 8);
    BlockingQueue<Delivery> greeterDelivered = new LinkedBlockingQueue<>();
    ChatClient.create(vertx, "greeter").deliveredHandler(greeterDelivered::add);
    ChatNode greeter = await(GreeterApp.start(vertx, node("greeter", rendezvous.port(), dir)));

    ChatNode bobNode = await(ChatNode.deploy(vertx, node(peer, rendezvous.port(), dir)));
    ChatClient bob = bobNode.client();
    BlockingQueue<ReceivedMessage> received = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> delivered = new LinkedBlockingQueue<>();
    bob.receivedHandler(received::add).deliveredHandler(delivered::add);
    await(bob.ready());

    // The greeter greets bob once he is reachable, directly; bob's node acknowledges it.
    ReceivedMessage greeting = next(received);
    assertEquals("greeter", greeting.from());
    assertEquals(peer, greeting.to());
    assertEquals(String.format(GreeterVerticle.GREETING, peer), greeting.text());
    assertEquals(new Delivery(greeting.id(), peer), next(greeterDelivered));

    // Bob writes to it; it answers, and each side sees its message delivered.
    String id = await(bob.send("greeter", "hi greeter, " + peer + " here"));
    ReceivedMessage answer = next(received);
    assertEquals(GreeterVerticle.ANSWER_PREFIX + "hi greeter, " + peer + " here", answer.text());
    assertEquals(peer, answer.to());
    assertEquals(new Delivery(id, "greeter"), next(delivered));
    assertEquals(new Delivery(answer.id(), peer), next(greeterDelivered));

    // The greeter logged both before it sent (the greeting, the answer): the lines are in the file
    // the app's logback.xml writes, here moved by -Dgreeter.log.file (the module's pom).
    Path logFile = Path.of(System.getProperty("greeter.log.file"));
    List<String> lines = Files.readAllLines(logFile);
    assertTrue(lines.stream().anyMatch(l -> l.matches(
      "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.*\\] .*GreeterVerticle \\| greeting " + peer + " \\(.*")), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.endsWith(
      "GreeterVerticle | received from " + peer + " (direct): hi greeter, " + peer + " here")), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.contains("GreeterApp | greeter is up in room lobby")), lines.toString());

    await(bobNode.undeploy());
    await(greeter.undeploy());
  }
}
