package io.p2pchat.natlab;

import static io.p2pchat.natlab.ConsoleLines.DIRECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.control.CleartextForgeries;
import io.p2pchat.wire.ControlCodec;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * (h) Forged control on the wire: an attacker in the core router sends alice, at her public NAT
 * mapping, UDP datagrams whose source is the rendezvous's own address and port (a raw socket,
 * {@code scripts/natlab/spoof_udp.py}): protocol 1's cleartext {@code gone}, {@code introduce}
 * (for bob, whom she knows, and for a stranger), {@code registered}, random garbage, and a replay
 * of a sealed control datagram the rendezvous really sent her, captured off the wire. rtA lets them
 * all in (they match alice's mapping toward the rendezvous). Alice's user sees nothing change: no
 * {@code * bob left}, no new peer, no path change, the chat goes on both ways with every message
 * once; {@code /stats} shows each datagram dropped under its reason.
 */
class ForgedControlIT extends NatLabScenario {

  static final String RENDEZVOUS = RDV_ADDR + ":" + RENDEZVOUS_PORT;
  /** rtA keeps alice's port: her mapping toward the rendezvous, which rtA lets the forgeries through. */
  static final String ALICE_PUBLIC = "203.0.113.21:" + CLIENT_PORT;
  static final String BOB_PUBLIC = "203.0.113.22:" + CLIENT_PORT;
  /** A SEALED control datagram starts 0xD8 (sealed control), 0x05 (SEALED): see docs/PROTOCOL.md. */
  static final String SEALED_PREFIX = "d805";
  /** The rendezvous answers alice's keep-alive (every 4.5 s) in her session: one comes well within this. */
  static final int CAPTURE_SECONDS = 30;
  /**
   * The forgeries are sent once on an unimpaired lab and are in alice's socket by the time the
   * attacker returns; {@code /stats} is asked again (each answer awaited) at most this often while
   * her event loop may still be working through them, so a counter that never rises fails quickly.
   */
  static final int MAX_STATS_ASKS = 50;
  /** Dice of the garbage datagrams: the same bytes every run, so the same drop reasons. */
  static final long GARBAGE_SEED = 15;
  static final int GARBAGE_BYTES = 60;

  @Test
  void forgedAndReplayedControlFromTheRendezvousAddressChangesNothingAndIsCounted(TestInfo info) {
    up("home", info);
    rendezvous("rdv");
    ConsoleProcess alice = client("alice", "alice");
    ConsoleProcess bob = client("bob", "bob");
    expectPath(alice, "bob", DIRECT, BOB_PUBLIC);
    expectPath(bob, "alice", DIRECT, ALICE_PUBLIC);
    say(alice, "before the forgeries", bob);
    say(bob, "before them too", alice);

    // On path: a genuine sealed datagram rendezvous -> alice, taken off the core's wire toward rtA
    // (it reaches alice too: what is resent below is a true replay).
    List<String> captured = lab.attacker("capture", NatLab.coreInterface("rtA"), RENDEZVOUS, ALICE_PUBLIC,
        SEALED_PREFIX, Integer.toString(CAPTURE_SECONDS));
    String genuine = captured.get(captured.size() - 1).trim();
    int bobPathLines = alice.matching(ConsoleLines.path("bob")).size();
    Map<String, Long> before = dropCounters(alice);

    List<String> cleartext = cleartextControl();
    List<String> garbage = garbage();
    lab.attacker(args("send", RENDEZVOUS, ALICE_PUBLIC, cleartext));
    lab.attacker(args("send", RENDEZVOUS, ALICE_PUBLIC, garbage));
    lab.attacker("send", RENDEZVOUS, ALICE_PUBLIC, genuine);

    // Counted: every cleartext control form as unauthenticated, the replay as replayed, the garbage
    // as a datagram of no known kind and a sealed datagram of no session of hers.
    Map<String, Long> want = Map.of("unauthenticated", (long) cleartext.size(), "replayed", 1L,
        "unknown-kind", 1L, "unknown-session", 1L, "total", (long) (cleartext.size() + garbage.size() + 1));
    Map<String, Long> rose = awaitRise(alice, before, want);

    // Nothing a user sees changed: bob did not leave, no stranger appeared, the path is the same.
    assertTrue(alice.matching(ConsoleLines.left("bob")).isEmpty(), "a forgery told alice that bob left\n"
        + alice.transcript());
    assertTrue(alice.matching(ConsoleLines.connected("mallory")).isEmpty(), "a forged introduction made a peer\n"
        + alice.transcript());
    assertTrue(alice.matching(Pattern.compile("(?i).*restart.*|! .*|\\* rendezvous .* unreachable.*")).isEmpty(),
        "alice was shown a restart, an error or a lost rendezvous\n" + alice.transcript());
    assertEquals(bobPathLines, alice.matching(ConsoleLines.path("bob")).size(),
        "no path line about bob since the forgeries\n" + alice.transcript());
    assertEquals(want, rose, "alice's drop counters rose by one per forged datagram, under its reason\n"
        + alice.transcript());

    // The chat goes on both ways, over the same path, each message once.
    say(alice, "after the forgeries", bob);
    say(bob, "still here", alice);
    say(alice, "sentinel-alice", bob);
    say(bob, "sentinel-bob", alice);
    for (String text : List.of("before the forgeries", "after the forgeries")) {
      assertEquals(1, bob.matching(ConsoleLines.roomMessage("alice", text)).size(), bob.transcript());
    }
    for (String text : List.of("before them too", "still here")) {
      assertEquals(1, alice.matching(ConsoleLines.roomMessage("bob", text)).size(), alice.transcript());
    }
    assertTrue(alice.matching(ConsoleLines.left("bob")).isEmpty(), "alice was told bob left\n" + alice.transcript());
    assertEquals(bobPathLines, alice.matching(ConsoleLines.path("bob")).size(), "bob's path changed\n" + alice.transcript());
    alice.type("/peers");
    alice.await(Pattern.compile("\\* bob\\s+" + DIRECT + "\\s+" + Pattern.quote(BOB_PUBLIC) + "\\s.*"), MESSAGE_TIMEOUT);
    report(String.format("%d cleartext control forms, %d garbage datagrams and 1 replayed sealed datagram from %s to %s:"
        + " counted %s, no departure, no new peer, path unchanged, chat both ways once",
        cleartext.size(), garbage.size(), RENDEZVOUS, ALICE_PUBLIC, rose));
  }

  /**
   * Protocol 1's cleartext control (a {@code 0xD7} CONTROL packet with a JSON body, the exact bytes
   * of {@link ControlCodec#encode}), as the rendezvous sent it before control was sealed.
   */
  private static List<String> cleartextControl() {
    List<JsonObject> forms = CleartextForgeries.forms("bob", "mallory", "alice", "198.18.0.1:9");
    List<String> hex = new ArrayList<>();
    long counter = 1;
    for (JsonObject m : forms) {
      hex.add(HexFormat.of().formatHex(ControlCodec.encode(m, counter++).getBytes()));
    }
    return hex;
  }

  /** Random bytes of no known kind (first byte 0xEE), and random bytes behind a SEALED header. */
  private static List<String> garbage() {
    Random dice = new Random(GARBAGE_SEED);
    byte[] noKind = new byte[GARBAGE_BYTES];
    dice.nextBytes(noKind);
    noKind[0] = (byte) 0xEE;
    byte[] sealed = new byte[GARBAGE_BYTES];
    dice.nextBytes(sealed);
    System.arraycopy(HexFormat.of().parseHex(SEALED_PREFIX + "0100"), 0, sealed, 0, 4);
    return List.of(HexFormat.of().formatHex(noKind), HexFormat.of().formatHex(sealed));
  }

  private static String[] args(String command, String from, String to, List<String> payloads) {
    List<String> all = new ArrayList<>(List.of(command, from, to));
    all.addAll(payloads);
    return all.toArray(String[]::new);
  }

  /**
   * Asks {@code /stats} until every counter in {@code want} rose at least that much, or
   * {@link #MAX_STATS_ASKS} answers later; returns how much those counters rose.
   */
  private Map<String, Long> awaitRise(ConsoleProcess at, Map<String, Long> before, Map<String, Long> want) {
    for (int asked = 1; ; asked++) {
      Map<String, Long> now = dropCounters(at);
      Map<String, Long> rose = new java.util.TreeMap<>();
      want.keySet().forEach(k -> rose.put(k, now.getOrDefault(k, 0L) - before.getOrDefault(k, 0L)));
      boolean all = want.entrySet().stream().allMatch(e -> rose.get(e.getKey()) >= e.getValue());
      if (all || asked == MAX_STATS_ASKS) {
        return rose;
      }
    }
  }
}
