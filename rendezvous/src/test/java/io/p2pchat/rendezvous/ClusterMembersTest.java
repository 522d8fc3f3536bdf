package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.common.NodeLog;
import io.p2pchat.rendezvous.cluster.Member;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an instance does with the clients of an instance that left the cluster (kill -9 of rdv in
 * the NAT lab's ClusterFailoverIT): they stay registered until they move or expire, but are marked
 * orphaned, so that nobody is introduced or relayed to a dead instance meanwhile; moving here or
 * being announced again by a live instance clears the mark.
 */
class ClusterMembersTest {

  private static final byte[] KEY = new byte[32];
  private static final long RELAY_ID = 42;

  private final Registry registry = new Registry(100, 10);
  private final List<String> introduced = new ArrayList<>();
  private final ClusterMembers members;

  ClusterMembersTest() throws Exception {
    NodeLog log = NodeLog.of(ClusterMembersTest.class, "test", Files.createTempDirectory("cm").toString());
    members = new ClusterMembers(registry, new ClusterMembers.Host() {
      @Override
      public void sendControl(Endpoint to, JsonObject message) {}

      @Override
      public void sendRaw(Endpoint to, Buffer datagram) {}

      @Override
      public void announceGone(Registration gone) {}

      @Override
      public void introduce(Registration local, Registration remote) {
        introduced.add(local.nick + "+" + remote.nick);
      }

      @Override
      public void recover(String nick) {}
    }, log);
  }

  private static Member dave(String owner) {
    return new Member("dave", "lobby", Base64.getEncoder().encodeToString(KEY), "i1",
        new Endpoint("203.0.113.24", 20781), List.of(), RELAY_ID, owner);
  }

  @Test
  void clientsOfADepartedInstanceAreOrphanedUntilTheyMove() throws Exception {
    members.arrived(dave("rdv"), false);
    members.instanceLeft("rdv");
    Registration orphan = registry.byNick("dave");
    assertTrue(orphan.orphaned(), "dave's instance left: orphaned");
    assertEquals(RELAY_ID, registry.byRelayId(RELAY_ID).relayId, "still listed, with its relay id, until its TTL");

    // dave fails over to us with the same key: a local registration again, no longer orphaned.
    RegisterRequest again = new RegisterRequest("dave", "lobby", "i1", List.of(), List.of(), KEY, null, null);
    assertEquals(Registry.Outcome.MOVED, registry.register(again, new Endpoint("203.0.113.24", 8637), 1L));
    assertTrue(registry.byNick("dave").isLocal());
    assertFalse(registry.byNick("dave").orphaned());
  }

  @Test
  void anAnnouncementByALiveInstanceClearsTheMark() {
    members.arrived(dave("rdv"), false);
    members.instanceLeft("rdv");
    members.arrived(dave("rdv3"), true);
    assertFalse(registry.byNick("dave").orphaned(), "announced by rdv3: a live client again");
    members.instanceLeft("rdv3");
    members.refreshed("rdv3", List.of("dave"));
    assertFalse(registry.byNick("dave").orphaned(), "refreshed by its instance: alive after all");
    members.instanceLeft("someone-else");
    assertFalse(registry.byNick("dave").orphaned(), "only the departed instance's clients are orphaned");
  }
}
