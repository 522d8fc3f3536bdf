package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;
import static io.p2pchat.natlab.ConsoleLines.RELAYED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Port mapping (issue 19) in topology {@code pmp}: pat sits behind rtM, a per-destination ({@code --random-fully})
 * NAT through which no punch gets in, running Debian's miniupnpd; alice behind a home NAT. With the gateway
 * mapping pat's port (UPnP-IGD only, then NAT-PMP/PCP only, the node restricted to the same protocols) the pair
 * chats over a {@code direct} path through the mapped address, which exists at the gateway while pat runs and not
 * after it quit; with miniupnpd stopped, or with pat not asking ({@code portMapping.protocols} naming a protocol
 * the gateway does not speak), the same pair is relayed.
 */
class PortMapIT extends NatLabScenario {

  /** rtM's WAN address: the only public host pat's mapping can be on. */
  static final String RTM_WAN = "11.0.0.24";
  /** A DNAT rule of miniupnpd's nftables chain: {@code iif "wan0" @nh,72,8 0x11 th dport EXT dnat ip to 192.0.2.130:4000}. */
  static final Pattern NFT_REDIRECT = Pattern.compile("th dport (\\d+) dnat (?:ip )?to 192\\.0\\.2\\.130:" + CLIENT_PORT);
  /** A line of {@code upnpc -l}: {@code  0 UDP  4000->192.0.2.130:4000  'p2pchat' '' 7200}. */
  static final Pattern UPNPC_ENTRY = Pattern.compile("UDP\\s+(\\d+)->192\\.0\\.2\\.130:" + CLIENT_PORT);

  @Test
  void upnpOnlyGatewayGivesADirectPath(TestInfo info) {
    up("pmp", info);
    lab.upnpd("rtM", "upnp");
    chatThroughMapping("upnp", () -> upnpcMappedPort());
  }

  @Test
  void natPmpPcpOnlyGatewayGivesADirectPath(TestInfo info) {
    up("pmp", info);
    lab.upnpd("rtM", "natpmp");
    chatThroughMapping("natpmp,pcp", () -> nftMappedPort());
  }

  @Test
  void withoutAMappingThePairIsRelayed(TestInfo info) {
    up("pmp", info);
    // miniupnpd stopped: nothing answers pat's mapper, and rtM lets no punch in.
    expectRelayed(Map.of());
  }

  @Test
  void aNodeThatDoesNotAskIsRelayedEvenThroughAMappingGateway(TestInfo info) {
    // The mechanism off: the gateway speaks only UPnP, pat asks only NAT-PMP/PCP, so nothing is mapped.
    up("pmp", info);
    lab.upnpd("rtM", "upnp");
    expectRelayed(Map.of("P2PCHAT_PORT_MAPPING_PROTOCOLS", "natpmp,pcp"));
  }

  /** alice and pat (with {@code patEnv}) must end up relayed, and chat there. */
  private void expectRelayed(Map<String, String> patEnv) {
    rendezvous("rdv");
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess pat = client("pat", "pat", patEnv);
    expectPaths(alice, pat, RELAYED, null, null);
    say(alice, "pat, relayed", pat);
    say(pat, "relayed, alice", alice);
  }

  /** pat asks with {@code protocols}; the pair must go direct through the port {@code mappedPort} reads at rtM. */
  private void chatThroughMapping(String protocols, java.util.function.IntSupplier mappedPort) {
    rendezvous("rdv");
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess pat = client("pat", "pat", Map.of("P2PCHAT_PORT_MAPPING_PROTOCOLS", protocols));
    List<ConsoleProcess.Matched> paths = expectPaths(alice, pat, DIRECT, null, null);
    int external = mappedPort.getAsInt();
    assertTrue(external > 0, "rtM holds no mapping of pat's port while pat runs");
    assertEquals(RTM_WAN + ":" + external, ConsoleLines.address(paths.get(0)),
      "alice's direct path to pat goes through the mapped port\n" + alice.transcript());
    say(alice, "pat, straight through your router's mapping", pat);
    say(pat, "direct, alice", alice);
    chatBothWays(alice, pat, "pm", 20);
    pat.close();
    assertEquals(-1, mappedPort.getAsInt(), "pat quit, but rtM still maps its port");
  }

  /** The external port {@code upnpc -l} (run in pat's LAN) lists for pat's socket, or -1. */
  private int upnpcMappedPort() {
    return firstPort(UPNPC_ENTRY, lab.exec("pat", "upnpc", "-l"));
  }

  /** The external port of miniupnpd's DNAT rule for pat's socket in rtM's nftables chain, or -1. */
  private int nftMappedPort() {
    return firstPort(NFT_REDIRECT, lab.exec("rtM", "nft", "list", "chain", "inet", "filter", "prerouting_miniupnpd"));
  }

  private static int firstPort(Pattern entry, List<String> lines) {
    for (String line : lines) {
      Matcher m = entry.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    return -1;
  }
}
