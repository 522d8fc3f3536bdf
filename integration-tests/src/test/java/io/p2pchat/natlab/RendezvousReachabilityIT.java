package io.p2pchat.natlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (0) The lab and the real rendezvous jar together, before any punching: two rendezvous servers
 * (rdv, rdv2) answer STUN Binding requests and the plain {@code punch} command through real NATs.
 * A client behind the home router is seen at the same public port by both servers (port
 * preserving, endpoint-independent mapping); one behind the symmetric router gets a different
 * public port per server: exactly what a node's NAT classification must find.
 */
class RendezvousReachabilityIT extends NatLabScenario {

  static final String RDV2_ADDR = "203.0.113.11";
  /** Like any STUN client, retransmit: a request can be lost (first ARP, a busy machine). */
  static final int ATTEMPTS = 3;
  /** A local port no node uses here, so the probes get fresh mappings. */
  static final int PROBE_PORT = 4001;

  @Test
  void stunThroughHomeAndSymmetricRouters(TestInfo info) {
    up("sym", info);
    rendezvous("rdv");
    rendezvous("rdv2");

    String alice1 = reflexive("alice", RDV_ADDR);
    String alice2 = reflexive("alice", RDV2_ADDR);
    String dave1 = reflexive("dave", RDV_ADDR);
    String dave2 = reflexive("dave", RDV2_ADDR);
    assertEquals("203.0.113.21:" + PROBE_PORT, alice1, "home router keeps alice's port toward rdv");
    assertEquals(alice1, alice2, "home router maps alice the same way toward rdv2");
    assertEquals("203.0.113.24", dave1.split(":")[0]);
    assertEquals("203.0.113.24", dave2.split(":")[0]);
    assertNotEquals(dave1, dave2, "symmetric router gives dave a new port per destination");

    List<String> answer = lab.exec("alice", "bash", "-c",
        "printf punch | socat -T 3 - UDP4:" + RDV_ADDR + ":" + RENDEZVOUS_PORT + ",sourceport=" + PROBE_PORT);
    assertEquals(List.of("punched"), answer, "plain-text punch through the home router");
    report(String.format("STUN through rtA: rdv sees %s, rdv2 sees %s; through rtS: rdv sees %s, rdv2 sees %s",
        alice1, alice2, dave1, dave2));
  }

  /** Sends a STUN Binding request from {@code host}:{@link #PROBE_PORT} and decodes XOR-MAPPED-ADDRESS. */
  private String reflexive(String host, String server) {
    String request = "\\x00\\x01\\x00\\x00\\x21\\x12\\xa4\\x42natlabprobe1";
    String hex = "";
    for (int attempt = 1; attempt <= ATTEMPTS && hex.isBlank(); attempt++) {
      hex = String.join(" ", lab.exec(host, "bash", "-c", "printf '" + request + "' | socat -T 2 - UDP4:" + server
          + ":" + RENDEZVOUS_PORT + ",sourceport=" + PROBE_PORT + ",reuseaddr | od -An -v -tx1"));
    }
    return StunReply.xorMappedAddress(hex);
  }
}
