package io.p2pchat.rendezvous.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.control.ControlCodec.Type;
import io.p2pchat.control.TicketWallet;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.rendezvous.UdpClient;
import io.p2pchat.wire.Control;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resumption across a real Hazelcast cluster of two rendezvous processes: a client's ticket from the
 * instance it registered with opens at the other one (the ticket keys are the cluster's), so when that
 * instance is killed with -9 the client resumes its control session at the other with one RESUME (no
 * full handshake) and registers there. Run: {@code mvn -Pcluster verify -pl integration-tests
 * -Dit.test=TicketFailoverIT}, part of the cluster suite of {@code bin/p2pchat test}.
 */
class TicketFailoverIT {
  private static final int INSTANCES = 2;
  private final RendezvousProcess[] instances = new RendezvousProcess[INSTANCES];

  @AfterEach
  void tearDown() throws Exception {
    RendezvousProcess.tearDown(null, Arrays.asList(instances));
  }

  @Test
  @Timeout(value = 170, unit = TimeUnit.SECONDS)
  void aClientOfAKilledInstanceResumesAtTheOtherWithItsTicket() throws Exception {
    RendezvousProcess.startCluster("ticket-failover-it", instances);
    NodeIdentity id = NodeIdentity.generate();
    TicketWallet wallet = new TicketWallet();
    try (UdpClient first = new UdpClient(instances[0].port, "ann", "failover", id, wallet)) {
      List<Type> full = first.establish((out, d) -> false);
      assertFalse(full.contains(Type.RESUME), "a full handshake first: " + full);
      assertRegistered(first);
    }
    assertTrue(wallet.holdsTicket());

    long killedAt = System.nanoTime();
    instances[0].kill();
    try (UdpClient next = new UdpClient(instances[1].port, "ann", "failover", id, wallet)) {
      assertEquals(List.of(Type.RESUME), next.establish((out, d) -> false),
        "one RESUME at the other instance, answered: it opened the dead one's ticket");
      assertRegistered(next);
      System.out.printf("ticket failover: resumed and registered at the other instance %d ms after the kill%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    }
  }

  private static void assertRegistered(UdpClient c) {
    JsonObject answer = c.register();
    assertEquals("registered", answer.getString(Control.TYPE), answer.encode());
  }
}
