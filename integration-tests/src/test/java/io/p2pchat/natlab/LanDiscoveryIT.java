package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT_LAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 19, a LAN without a server: two clients on one lab LAN (the {@code lan} topology: erin and frank
 * behind one router) find each other by mDNS/DNS-SD when no rendezvous answers, chat both ways over
 * their LAN addresses, and a real mDNS stack (Debian's Avahi, in its own mount namespace with its own
 * D-Bus) lists both announcements with their TXT records; with the LAN's multicast dropped they start
 * and say no peer was found; with the rendezvous reachable too, they end with one session each, not two.
 * Red with {@code P2PCHAT_LAN_DISCOVERY=false} on both: {@code erin: no line matching /* frank … direct-lan …/ within PT1M}.
 */
class LanDiscoveryIT extends NatLabScenario {

  static final Pattern LAN_ONLY = Pattern.compile("\\* no rendezvous: LAN only");
  static final Pattern NONE_FOUND = Pattern.compile("\\* no LAN peer found in \\d+ s.*");
  /** Generous on a loaded 2-core machine: discovery itself takes ~0.1 s (the first query), a JVM start seconds. */
  static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(60);
  static final Duration AVAHI_TIMEOUT = Duration.ofSeconds(60);

  @Test
  void neighboursWithNoRendezvousFindEachOtherAndChat(TestInfo info) throws Exception {
    up("lan", info);
    ConsoleProcess erin = client("erin", "erin");
    ConsoleProcess frank = client("frank", "frank");

    expectPaths(erin, frank, DIRECT_LAN, "192.0.2.195:4000", "192.0.2.194:4000");
    erin.await(LAN_ONLY, DISCOVERY_TIMEOUT);
    reportDiscoveryTime("frank", "erin");
    say(erin, "frank, no server today?", frank);
    say(frank, "none needed, erin", erin);

    List<String> listed = avahiBrowse("erin", 2);
    List<String> resolved = listed.stream().filter(l -> l.startsWith("=;") && l.contains(";IPv4;")).toList();
    assertEquals(2, resolved.stream().map(l -> l.split(";")[3]).distinct().count(), String.join("\n", listed));
    for (String line : resolved) {
      assertTrue(line.contains("_p2pchat._udp") && line.contains("\"room=lobby\"") && line.contains("\"v=1\"")
        && line.contains("\"fp=") && line.contains("\"sk="), line);
      assertTrue(!line.contains("erin") && !line.contains("frank"), "a nick in an announcement: " + line);
      assertTrue(line.contains(";192.0.2.194;4000;") || line.contains(";192.0.2.195;4000;"), line);
    }
  }

  @Test
  void withMulticastDroppedTheNodesStartAndSayNoPeerWasFound(TestInfo info) {
    up("lan", info);
    for (String host : List.of("erin", "frank")) {
      lab.exec(host, "iptables", "-I", "INPUT", "-p", "udp", "--dport", "5353", "-j", "DROP");
      lab.exec(host, "iptables", "-I", "OUTPUT", "-p", "udp", "--dport", "5353", "-j", "DROP");
    }
    ConsoleProcess erin = client("erin", "erin");
    ConsoleProcess frank = client("frank", "frank");
    erin.await(NONE_FOUND, DISCOVERY_TIMEOUT);
    frank.await(NONE_FOUND, DISCOVERY_TIMEOUT);
    erin.await(LAN_ONLY, DISCOVERY_TIMEOUT);
    assertTrue(erin.isAlive() && frank.isAlive());
    assertTrue(erin.matching(ConsoleLines.path("frank")).isEmpty(), erin.transcript());
  }

  @Test
  void withTheRendezvousReachableTooTheyHaveOneSession(TestInfo info) {
    up("lan", info);
    rendezvous("rdv");
    ConsoleProcess erin = client("erin", "erin");
    ConsoleProcess frank = client("frank", "frank");
    expectPaths(erin, frank, DIRECT_LAN, "192.0.2.195:4000", "192.0.2.194:4000");
    say(erin, "both ways met", frank);
    say(frank, "one session", erin);
    // /peers lists one entry per session: exactly one for frank
    erin.type("/peers");
    erin.await(Pattern.compile("\\* frank\\s+.*"), MESSAGE_TIMEOUT);
    assertEquals(1, erin.matching(Pattern.compile("\\* frank\\s+.*")).size(), erin.transcript());
    assertEquals(1, erin.matching(Pattern.compile("\\* frank connected.*")).size(), erin.transcript());
  }

  /**
   * The time to discover a LAN peer, from {@code nick}'s log: its first mDNS announcement to the LAN
   * hello that introduced {@code peer}, and to the {@code direct-lan} path.
   */
  private void reportDiscoveryTime(String nick, String peer) throws IOException {
    List<String> log = java.nio.file.Files.readAllLines(runDir.resolve("logs").resolve(nick).resolve(nick + ".log"));
    java.time.Instant announced = at(log, "LAN discovery: announcing");
    java.time.Instant found = at(log, "found " + peer + " on the LAN");
    java.time.Instant direct = at(log, "path to " + peer + ": direct-lan");
    report("time to discover a LAN peer (" + nick + "): announcement -> " + peer + "'s hello "
      + Duration.between(announced, found).toMillis() + " ms, -> direct-lan " + Duration.between(announced, direct).toMillis()
      + " ms");
  }

  private static java.time.Instant at(List<String> log, String text) {
    return log.stream().filter(l -> l.contains(text)).findFirst()
      .map(l -> java.time.Instant.parse(l.substring(0, l.indexOf(' '))))
      .orElseThrow(() -> new AssertionError("no log line with '" + text + "'"));
  }

  /** {@code avahi-browse -rpt _p2pchat._udp} on {@code host}'s LAN by a fresh Avahi daemon there. */
  private List<String> avahiBrowse(String host, int count) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", LabConfig.script().resolveSibling("avahi-browse.sh").toString(),
      lab.namespace(host), "_p2pchat._udp", Integer.toString(count)).redirectErrorStream(true).start();
    assertTrue(p.waitFor(AVAHI_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "avahi-browse did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    report("avahi-browse -rpt _p2pchat._udp on " + host + "'s LAN:\n" + out);
    assertEquals(0, p.exitValue(), out);
    return out.lines().toList();
  }
}
