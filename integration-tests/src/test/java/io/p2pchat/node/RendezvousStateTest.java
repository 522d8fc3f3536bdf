package io.p2pchat.node;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.node.TestNet.Events;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a node says about its rendezvous: "registering" while its first answer is on its way (no
 * alarm at every start), "down" once registrations go unanswered, also when the rendezvous never
 * answered at all, and "up" when it registers.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class RendezvousStateTest {

  @Test
  void aRendezvousThatNeverAnswersIsReportedDownAndOneThatAnswersUp(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    DatagramSocket silent = vertx.createDatagramSocket();
    int silentPort = await(silent.listen(0, "127.0.0.1")).localAddress().port();
    Node alone = net.node("alone", silentPort);
    assertEquals("registering", rendezvousState(vertx, alone), "a node that has just sent its first registration");
    JsonObject down = alone.events.await(Events.RENDEZVOUS_STATE, e -> "down".equals(e.getString("state")));
    assertEquals("127.0.0.1:" + silentPort, down.getString("address"));
    assertEquals("down", rendezvousState(vertx, alone));

    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", rendezvous.port());
    alice.events.await(Events.RENDEZVOUS_STATE, e -> "up".equals(e.getString("state")));
    assertEquals("up", rendezvousState(vertx, alice));
  }

  private static String rendezvousState(Vertx vertx, Node node) throws Exception {
    JsonObject reply = await(vertx.eventBus().<JsonObject>request(new ChatAddresses(node.prefix).node(), new JsonObject())).body();
    return reply.getJsonObject("rendezvous").getString("state");
  }
}
