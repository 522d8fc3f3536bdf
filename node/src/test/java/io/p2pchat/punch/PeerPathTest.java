package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 3, test 11: the path state machine of one peer, driven by a fake clock. */
class PeerPathTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long PUNCH_WINDOW = TimeUnit.SECONDS.toNanos(5);
  private static final long KEEP_ALIVE = TimeUnit.SECONDS.toNanos(15);
  private static final Endpoint LAN = new Endpoint("192.168.1.5", 4000);
  private static final Endpoint PUBLIC = new Endpoint("203.0.113.7", 40000);
  private static final Endpoint OTHER = new Endpoint("198.51.100.9", 5555);
  private static final Endpoint OWN = new Endpoint("192.168.1.2", 4000);
  /** The peer's IPv6 address: a second public candidate, of the same kind as {@link #PUBLIC}. */
  private static final Endpoint PUBLIC6 = new Endpoint("2001:db8::7", 40000);

  /** Records what the machine asks for. */
  private static final class Recorder implements PeerPath.Actions {
    record Punch(Endpoint to, long txId, long at) {
    }

    record Change(PathState state, Endpoint address, String why) {
    }

    final List<Punch> punches = new ArrayList<>();
    final List<Change> changes = new ArrayList<>();
    int lost;
    long now;

    @Override
    public void sendPunch(Endpoint to, long txId) {
      punches.add(new Punch(to, txId, now));
    }

    @Override
    public void pathChanged(PathState state, Endpoint address, String why) {
      changes.add(new Change(state, address, why));
    }

    @Override
    public void pathLost() {
      lost++;
    }

    Punch lastTo(Endpoint to) {
      for (int i = punches.size() - 1; i >= 0; i--) {
        if (punches.get(i).to.equals(to)) {
          return punches.get(i);
        }
      }
      throw new AssertionError("no punch to " + to + " in " + punches);
    }

    long count(Endpoint to) {
      return punches.stream().filter(p -> p.to.equals(to)).count();
    }
  }

  private final Recorder actions = new Recorder();
  private final PeerPath path = new PeerPath(actions, PUNCH_WINDOW, KEEP_ALIVE, Set.of(OWN));

  /** Fires the machine's timer at each deadline up to {@code until}, like PunchVerticle does. */
  private void runUntil(long until) {
    while (path.nextDeadline() <= until) {
      long at = path.nextDeadline();
      actions.now = at;
      path.onTimer(at);
    }
    actions.now = until;
  }

  /** Like {@link #runUntil}, with a peer that answers every probe to {@code peer} a millisecond later. */
  private void runAnswering(long until, Endpoint peer) {
    while (path.nextDeadline() <= until) {
      long at = path.nextDeadline();
      actions.now = at;
      int before = actions.punches.size();
      path.onTimer(at);
      for (Recorder.Punch p : new ArrayList<>(actions.punches.subList(before, actions.punches.size()))) {
        if (p.to().equals(peer)) {
          actions.now = at + MS;
          path.onPunched(p.txId(), peer, at + MS);
        }
      }
    }
    actions.now = until;
  }

  /**
   * Like {@link #runUntil}, with a peer that answers every probe to an address of {@code rtt} after the
   * round trip it gives for that address at that moment (never, for one it does not name).
   */
  private void runAnswering(long until, java.util.function.Function<Endpoint, Long> rtt) {
    while (path.nextDeadline() <= until) {
      long at = path.nextDeadline();
      actions.now = at;
      int before = actions.punches.size();
      path.onTimer(at);
      List<Recorder.Punch> sent = new ArrayList<>(actions.punches.subList(before, actions.punches.size()));
      List<long[]> answers = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        Long r = rtt.apply(sent.get(i).to());
        if (r != null) {
          answers.add(new long[] {at + r, i});
        }
      }
      answers.sort((a, b) -> Long.compare(a[0], b[0]));
      for (long[] a : answers) {
        Recorder.Punch p = sent.get((int) a[1]);
        actions.now = a[0];
        path.onPunched(p.txId(), p.to(), a[0]);
      }
    }
    actions.now = until;
  }

  private void introduce(boolean relay, Candidate... candidates) {
    path.introduce(List.of(candidates), relay, false, actions.now);
  }

  private void answer(Endpoint to, long at) {
    actions.now = at;
    path.onPunched(actions.lastTo(to).txId(), to, at);
  }

  /**
   * The user trial: LAN discovery introduced the peer at its host address (direct-lan); the rendezvous then
   * introduced the same address as a public candidate (an address outside the default LAN ranges). The
   * same address is the same path: it stays direct-lan, also when it is found again after a silence.
   */
  @Test
  void aReintroductionOfTheSameAddressAsAWorseKindDoesNotDowngradeThePath() {
    Endpoint testNet = new Endpoint("192.0.2.10", 4000);
    introduce(false, new Candidate(testNet, Candidate.Kind.LAN));
    answer(testNet, MS);
    assertEquals(PathState.DIRECT_LAN, path.state());
    introduce(false, new Candidate(testNet, Candidate.Kind.PUBLIC), new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    // A loaded host goes silent long enough to lose the path; the rendezvous introduces the peer again and
    // punching finds the same address.
    runAnswering(TimeUnit.SECONDS.toNanos(60), to -> null);
    assertEquals(PathState.CONNECTING, path.state(), "silence lost the path: " + actions.changes);
    introduce(false, new Candidate(testNet, Candidate.Kind.PUBLIC), new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    runAnswering(TimeUnit.SECONDS.toNanos(90), to -> to.equals(testNet) ? MS : null);
    assertEquals(PathState.DIRECT_LAN, path.state(), "the kind does not go down: " + actions.changes);
    assertEquals(testNet, path.address());
    assertTrue(actions.changes.stream().noneMatch(c -> c.state() == PathState.DIRECT), "never direct: " + actions.changes);
  }

  @Test
  void punchCompletesDirect() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    assertEquals(PathState.CONNECTING, path.state());
    assertEquals(1, actions.count(PUBLIC), "punches at once: simultaneous open");
    answer(PUBLIC, 5 * MS);
    assertEquals(PathState.DIRECT, path.state());
    assertEquals(PUBLIC, path.address());
    assertEquals(5 * MS, path.rttNanos());
    assertEquals(List.of(new Recorder.Change(PathState.DIRECT, PUBLIC, "punch completed")), actions.changes);
  }

  @Test
  void lanCandidateBeatsPublic() {
    introduce(false, new Candidate(LAN, Candidate.Kind.LAN), new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    answer(PUBLIC, 3 * MS);
    assertEquals(PathState.DIRECT, path.state());
    answer(LAN, 4 * MS);
    assertEquals(PathState.DIRECT_LAN, path.state());
    assertEquals(LAN, path.address());
    assertEquals("better path than direct", actions.changes.get(1).why());
    // The best kind there is: no more upgrade rounds.
    int before = actions.punches.size();
    runUntil(KEEP_ALIVE - MS);
    assertEquals(before, actions.punches.size(), "nothing to upgrade to");
  }

  @Test
  void anAnswerFromAnotherAddressThanProbedTeachesNothing() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    actions.now = MS;
    path.onPunched(actions.lastTo(PUBLIC).txId(), OTHER, MS);
    assertEquals(PathState.CONNECTING, path.state());
    path.onPunched(999, PUBLIC, MS);
    assertEquals(PathState.CONNECTING, path.state(), "an unknown txId");
  }

  @Test
  void noAnswerWithinTheWindowProbesTheRelayAndRelayedPunchedMakesItRelayed() {
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    runUntil(PUNCH_WINDOW - MS);
    assertTrue(actions.count(PUBLIC) >= 4, "retried within the window: " + actions.punches);
    assertEquals(0, actions.count(Candidate.VIA_RELAY), "the relay waits for the window to end");
    runUntil(PUNCH_WINDOW);
    assertEquals(1, actions.count(Candidate.VIA_RELAY));
    answer(Candidate.VIA_RELAY, PUNCH_WINDOW + 20 * MS);
    assertEquals(PathState.RELAYED, path.state());
    assertEquals(Candidate.VIA_RELAY, path.address());
  }

  /** When each relay probe left, oldest first. */
  private List<Long> relayProbeTimes() {
    return actions.punches.stream().filter(p -> p.to().equals(Candidate.VIA_RELAY)).map(p -> p.at()).toList();
  }

  /**
   * A relayed probe crosses the rendezvous twice each way: at 20% loss per packet one in two never comes
   * back. Without a path the relay is probed again, backing off, until it answers; then the probing stops
   * (keep-alives take over).
   */
  @Test
  void aLostRelayProbeIsRetriedWithBackOffUntilTheRelayAnswers() {
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    long end = PUNCH_WINDOW + TimeUnit.SECONDS.toNanos(10);
    runUntil(end);
    List<Long> relayed = relayProbeTimes();
    assertEquals(PUNCH_WINDOW, relayed.get(0), "the first relay probe ends the punch window");
    assertEquals(5, relayed.size(), "retried at 0.5, 1.5, 3.5 and 7.5 s, not sent once: " + relayed);
    answer(Candidate.VIA_RELAY, end + 20 * MS);
    assertEquals(PathState.RELAYED, path.state());
    long probes = actions.count(Candidate.VIA_RELAY);
    runUntil(end + KEEP_ALIVE - MS);
    assertEquals(probes, actions.count(Candidate.VIA_RELAY), "a confirmed relay is probed by keep-alives only");
  }

  /**
   * A peer without a path that never answers costs one relay probe per {@link Timing#RELAY_PROBE_MAX_INTERVAL_NANOS}:
   * the interval doubles from the first to the cap and stays there. A sign that the relay would answer now makes it
   * fast again: a packet of the peer (its punch through the relay), or a new introduction of it. Before, the relay
   * was probed every second for as long as the pair had no path.
   */
  @Test
  void relayProbesBackOffToTheCapAndSignsOfThePeerMakeThemFastAgain() {
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    long minutes = TimeUnit.MINUTES.toNanos(5);
    runUntil(PUNCH_WINDOW + minutes);
    List<Long> relayed = relayProbeTimes();
    long expected = Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS;
    for (int i = 1; i < relayed.size(); i++) {
      assertEquals(expected, relayed.get(i) - relayed.get(i - 1), "doubling to the cap: " + relayed);
      expected = Math.min(2 * expected, Timing.RELAY_PROBE_MAX_INTERVAL_NANOS);
    }
    assertEquals(Timing.RELAY_PROBE_MAX_INTERVAL_NANOS, relayed.get(relayed.size() - 1) - relayed.get(relayed.size() - 2),
        "capped: " + relayed);
    assertTrue(relayed.size() < 20, "about one a cap interval, not one a second, over 5 minutes: " + relayed.size());

    // The peer's punch comes through the relay: probed at once, then at the first intervals again.
    long heardAt = relayed.get(relayed.size() - 1) + TimeUnit.SECONDS.toNanos(10);
    actions.now = heardAt;
    path.onPunch(Candidate.VIA_RELAY, heardAt);
    assertEquals(heardAt, path.nextDeadline(), "a relay probe due at once");
    runUntil(heardAt);
    path.onPunch(Candidate.VIA_RELAY, heardAt + MS); // heard again at once
    assertEquals(heardAt + Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS, path.nextDeadline(),
        "never more often than the first interval, however often the peer is heard");
    runUntil(heardAt + 3 * Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS);
    List<Long> after = relayProbeTimes().subList(relayed.size(), relayProbeTimes().size());
    assertEquals(List.of(heardAt, heardAt + Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS,
        heardAt + 2 * Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS), after, "fast again");

    // Backed off again, then introduced again: the relay is probed at once.
    runUntil(actions.now + minutes);
    int before = relayProbeTimes().size();
    long introducedAt = actions.now;
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    runUntil(introducedAt);
    assertEquals(before + 1, relayProbeTimes().size(), "a new introduction probes the relay at once");
    assertEquals(introducedAt, relayProbeTimes().get(before));
    assertTrue(path.nextDeadline() <= introducedAt + Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS, "and soon again");
  }

  /**
   * The rendezvous offered no relay when the peer was introduced (or the node registered again, with
   * another instance after a failover): once it does, a session without a path probes the relay at once,
   * without waiting for a new introduction. One with a path, or still punching, is left alone.
   */
  @Test
  void aRelayOfferedAfterTheIntroductionIsProbedAtOnceBySessionsWithoutAPath() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    path.relayOffered(actions.now);
    assertEquals(0, actions.count(Candidate.VIA_RELAY), "still punching: the window's end probes the relay");
    runUntil(PUNCH_WINDOW + 100 * MS);
    assertEquals(1, actions.count(Candidate.VIA_RELAY), "relay offered in the window: probed when it ended");
    answer(Candidate.VIA_RELAY, actions.now + MS);
    assertEquals(PathState.RELAYED, path.state());

    PeerPath other = new PeerPath(actions, PUNCH_WINDOW, KEEP_ALIVE, Set.of(OWN));
    long before = actions.count(Candidate.VIA_RELAY);
    other.introduce(List.of(new Candidate(OTHER, Candidate.Kind.PUBLIC)), false, false, actions.now);
    long after = actions.now + PUNCH_WINDOW + MS;
    actions.now = after;
    other.onTimer(after);
    assertEquals(before, actions.count(Candidate.VIA_RELAY), "no relay offered: none probed");
    other.relayOffered(after + MS);
    assertEquals(before + 1, actions.count(Candidate.VIA_RELAY), "offered later: probed at once");
    assertTrue(other.nextDeadline() <= after + MS + Timing.RELAY_PROBE_FIRST_INTERVAL_NANOS, "and again if unanswered");
  }

  @Test
  void noAnswerAndNoRelayProbesNoMoreAndAsksForANewIntroduction() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    runUntil(PUNCH_WINDOW);
    long probes = actions.count(PUBLIC);
    assertEquals(0, actions.count(Candidate.VIA_RELAY));
    assertEquals(PathState.CONNECTING, path.state());
    assertTrue(actions.changes.isEmpty());
    runUntil(PUNCH_WINDOW + 10 * Timing.UPGRADE_RETRY_NANOS);
    assertEquals(probes, actions.count(PUBLIC), "a candidate that never answered is not probed again");
    assertEquals(1, actions.lost, "asks once for a new introduction after the retry interval");
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    assertEquals(probes + 1, actions.count(PUBLIC), "a new introduction punches again");
  }

  @Test
  void aPeerReflexiveAddressGetsOnePunchPerPunchNeverARound() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    path.onPunch(OTHER, MS);
    assertEquals(1, actions.count(OTHER), "a triggered check");
    runUntil(PUNCH_WINDOW + 10 * Timing.UPGRADE_RETRY_NANOS);
    assertEquals(1, actions.count(OTHER), "not in the punch rounds: " + actions.punches);
    path.onPunch(OTHER, actions.now);
    assertEquals(2, actions.count(OTHER), "one more punch, one more check");
  }

  @Test
  void peerReflexiveAddressesAreCappedPerPeer() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    for (int i = 0; i < PeerPath.MAX_PEER_REFLEXIVE; i++) {
      Endpoint source = new Endpoint("198.51.100." + (10 + i), 5555);
      assertTrue(path.mayLearnFrom(source), "source " + i);
      path.onPunch(source, MS);
    }
    Endpoint victim = new Endpoint("192.0.2.77", 9);
    assertFalse(path.mayLearnFrom(victim), "over the cap");
    assertTrue(path.mayLearnFrom(PUBLIC), "a known candidate always");
    assertTrue(path.mayLearnFrom(new Endpoint("198.51.100.10", 5555)), "a learned one too");
    assertTrue(path.mayLearnFrom(Candidate.VIA_RELAY));
  }

  @Test
  void silenceOnADirectPathFallsBackToConnectingAndProbesTheRelay() {
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    answer(PUBLIC, MS);
    actions.now = 100 * MS;
    path.expectAnswer(100 * MS);
    runUntil(100 * MS + Timing.SILENCE_LIMIT_NANOS - MS);
    assertEquals(PathState.DIRECT, path.state(), "not yet");
    int relayBefore = (int) actions.count(Candidate.VIA_RELAY);
    int publicBefore = (int) actions.count(PUBLIC);
    runUntil(100 * MS + Timing.SILENCE_LIMIT_NANOS);
    assertEquals(PathState.CONNECTING, path.state());
    assertNull(path.address());
    assertEquals(1, actions.lost, "asks the rendezvous for fresh candidates");
    assertEquals(new Recorder.Change(PathState.CONNECTING, PUBLIC, "no answer for 3 s"), actions.changes.get(1));
    assertEquals(relayBefore + 1, actions.count(Candidate.VIA_RELAY), "the relay carries messages meanwhile");
    assertTrue(actions.count(PUBLIC) > publicBefore, "and a new punch round starts");
  }

  @Test
  void hearingFromThePeerKeepsThePath() {
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    answer(PUBLIC, MS);
    path.expectAnswer(2 * MS);
    path.heard(500 * MS);
    runAnswering(3 * KEEP_ALIVE, PUBLIC);
    assertEquals(PathState.DIRECT, path.state());
    assertEquals(1, actions.changes.size(), actions.changes.toString());
  }

  @Test
  void aBetterPathLaterReplacesTheRelay() {
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    runUntil(PUNCH_WINDOW);
    answer(Candidate.VIA_RELAY, PUNCH_WINDOW + MS);
    assertEquals(PathState.RELAYED, path.state());
    long probes = actions.count(PUBLIC);
    runUntil(PUNCH_WINDOW + Timing.UPGRADE_RETRY_NANOS + MS);
    assertTrue(actions.count(PUBLIC) > probes, "an upgrade round while relayed");
    answer(PUBLIC, actions.now + MS);
    assertEquals(PathState.DIRECT, path.state());
    assertEquals(PUBLIC, path.address());
    assertEquals("better path than relayed", actions.changes.get(actions.changes.size() - 1).why());
  }

  @Test
  void aSameKindPathDoesNotReplaceTheCurrentOne() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    answer(PUBLIC, MS);
    // The peer shows up from another public address (a peer-reflexive one): probed back, confirmed...
    actions.now = 2 * MS;
    path.onPunch(OTHER, 2 * MS);
    assertEquals(1, actions.count(OTHER), "a new address is probed back");
    answer(OTHER, 3 * MS);
    // ...but it is of the same kind, so the current path stays: no flapping between equals.
    assertEquals(PathState.DIRECT, path.state());
    assertEquals(PUBLIC, path.address());
    assertEquals(1, actions.changes.size(), actions.changes.toString());
  }

  /** Direct over {@link #PUBLIC} at 40 ms; {@link #PUBLIC6} answered too, at 41 ms. */
  private void directOverIpv4WithIpv6Standing() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC), new Candidate(PUBLIC6, Candidate.Kind.PUBLIC));
    answer(PUBLIC, 40 * MS);
    answer(PUBLIC6, 41 * MS);
    assertEquals(PUBLIC, path.address());
    assertEquals(1, actions.changes.size(), "a same-kind path does not replace the current one at once");
  }

  @Test
  void aClearlyFasterDirectPathOfTheSameKindWinsOnlyAfterTheDwellTime() {
    directOverIpv4WithIpv6Standing();
    long start = actions.now;
    // From now on IPv6 answers in 5 ms, IPv4 still in 40: IPv6's smoothed RTT falls by an eighth of the gap per sample.
    java.util.function.Function<Endpoint, Long> rtt = to -> to.equals(PUBLIC) ? 40 * MS : to.equals(PUBLIC6) ? 5 * MS : null;
    // Its smoothed RTT is clearly lower (under 30 ms) from the 3rd keep-alive on (45 s): one sample is not enough.
    runAnswering(start + 3 * KEEP_ALIVE + 10 * MS, rtt);
    assertEquals(PUBLIC, path.address(), "not yet: " + actions.changes);
    assertEquals(1 + 3, actions.count(PUBLIC6), "the punch, then one standby probe per keep-alive");
    // 3 clearly lower samples spanning 10 s: the keep-alives and the upgrade round at 60 s bring them.
    runAnswering(start + 5 * KEEP_ALIVE, rtt);
    assertEquals(PUBLIC6, path.address(), "the clearly faster path won: " + actions.changes);
    assertEquals(PathState.DIRECT, path.state());
    assertEquals(2, actions.changes.size(), actions.changes.toString());
    assertTrue(actions.changes.get(1).why().startsWith("lower round trip: "), actions.changes.get(1).why());
    assertEquals(5 * MS, path.rttNanos(), "the path's RTT is the new path's");
    // And it stays: the slower IPv4 path is probed along, and never wins back.
    long probes4 = actions.count(PUBLIC);
    runAnswering(start + 25 * KEEP_ALIVE, rtt);
    assertEquals(PUBLIC6, path.address());
    assertEquals(2, actions.changes.size(), actions.changes.toString());
    assertTrue(actions.count(PUBLIC) - probes4 >= 20, "a standby probe to IPv4 with each keep-alive");
  }

  @Test
  void aRoundTripOscillatingAroundTheMarginNeverMovesThePath() {
    directOverIpv4WithIpv6Standing();
    long start = actions.now;
    // IPv4 steady at 40 ms: the bar is 75% of it, 30 ms (5 ms lower too). IPv6's smoothed RTT is steered to
    // 28 ms and 32 ms in turn, below the bar and above it, sample after sample, for 100 keep-alives.
    boolean[] below = {true};
    java.util.function.Function<Endpoint, Long> rtt = to -> {
      if (to.equals(PUBLIC)) {
        return 40 * MS;
      }
      if (!to.equals(PUBLIC6)) {
        return null;
      }
      long target = below[0] ? 28 * MS : 32 * MS;
      below[0] = !below[0];
      long smoothed = path.smoothedRtt(PUBLIC6);
      return smoothed + PathRtt.SMOOTHING_DIVISOR * (target - smoothed);
    };
    runAnswering(start + 100 * KEEP_ALIVE, rtt);
    assertEquals(PUBLIC, path.address(), actions.changes.toString());
    assertEquals(1, actions.changes.size(), "never flapped: " + actions.changes);
    assertTrue(actions.count(PUBLIC6) >= 100, "IPv6 was measured all along: " + actions.count(PUBLIC6));
    // Two lower samples in a row, then one above: the count starts again each time. Now three in a row win.
    runAnswering(start + 104 * KEEP_ALIVE, to -> to.equals(PUBLIC) ? 40 * MS : to.equals(PUBLIC6) ? 28 * MS : null);
    assertEquals(PUBLIC6, path.address(), "a sustained gain wins: " + actions.changes);
  }

  @Test
  void aStandbyThatAnswersNeverHidesASilentPath() {
    directOverIpv4WithIpv6Standing();
    long start = actions.now;
    // IPv4 goes silent; IPv6 (the standby, probed with every keep-alive) keeps answering, no faster.
    runAnswering(start + KEEP_ALIVE + Timing.SILENCE_LIMIT_NANOS + PUNCH_WINDOW,
      to -> to.equals(PUBLIC6) ? 45 * MS : null);
    assertEquals(List.of(PathState.DIRECT, PathState.CONNECTING, PathState.DIRECT),
      actions.changes.stream().map(Recorder.Change::state).toList(), "the silent path was lost: " + actions.changes);
    assertEquals("no answer for 3 s", actions.changes.get(1).why());
    assertEquals(PUBLIC6, path.address(), "and the working one taken: " + actions.changes);
    assertEquals(PathState.DIRECT, path.state());
  }

  @Test
  void ownAddressIsNeverProbed() {
    introduce(false, new Candidate(OWN, Candidate.Kind.LAN), new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    runUntil(PUNCH_WINDOW * 3);
    assertEquals(0, actions.count(OWN), actions.punches.toString());
    assertTrue(actions.count(PUBLIC) > 0);
  }

  @Test
  void aTlsClientsSyntheticAddressIsNeverProbedAndRelayFirstProbesTheRelayAtOnce() {
    Endpoint synthetic = io.p2pchat.wire.StreamEndpoint.of(7);
    path.introduce(List.of(new Candidate(LAN, Candidate.Kind.LAN), new Candidate(synthetic, Candidate.Kind.PUBLIC)),
      true, true, actions.now);
    assertEquals(1, actions.count(Candidate.VIA_RELAY), "relay first: probed at once " + actions.punches);
    runUntil(PUNCH_WINDOW * 3);
    assertEquals(0, actions.count(synthetic), "100::/64 is never probed: " + actions.punches);
    assertTrue(actions.count(LAN) > 0, "its real LAN candidates still are");
  }

  @Test
  void keepAlivesProbeTheCurrentPath() {
    introduce(false, new Candidate(LAN, Candidate.Kind.LAN));
    answer(LAN, MS);
    long before = actions.count(LAN);
    runUntil(MS + KEEP_ALIVE);
    assertEquals(before + 1, actions.count(LAN), "one keep-alive per interval");
    answer(LAN, actions.now + MS);
    runAnswering(MS + 4 * KEEP_ALIVE, LAN);
    assertEquals(PathState.DIRECT_LAN, path.state(), "answered keep-alives keep the path");
    assertEquals(before + 4, actions.count(LAN));
    // Unanswered, the next keep-alive loses the path within the silence limit.
    runUntil(MS + 5 * KEEP_ALIVE + Timing.SILENCE_LIMIT_NANOS);
    assertEquals(PathState.CONNECTING, path.state());
  }

  @Test
  void everyTransitionIsReportedOnceWithItsReason() {
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    answer(PUBLIC, MS);
    actions.now = 2 * MS;
    path.onAuthenticated(OTHER, true, 2 * MS);
    assertEquals(PathState.DIRECT, path.state(), "an answered path does not roam");
    path.expectAnswer(2 * MS);
    runUntil(2 * MS + Timing.SILENCE_LIMIT_NANOS);
    actions.now += MS;
    path.onAuthenticated(OTHER, true, actions.now);
    answer(OTHER, actions.now + MS);
    path.close("said goodbye");
    path.close("left the rendezvous");
    assertEquals(List.of(
      new Recorder.Change(PathState.DIRECT, PUBLIC, "punch completed"),
      new Recorder.Change(PathState.CONNECTING, PUBLIC, "no answer for 3 s"),
      new Recorder.Change(PathState.DIRECT, OTHER, "roamed: " + OTHER + " answered the path challenge"),
      new Recorder.Change(PathState.GONE, OTHER, "said goodbye")), actions.changes,
      "each change once, in order, with the path it concerns; a second close is no change");
  }

  /**
   * Issue 15, roaming: the newest authenticated packet from a new address only challenges it; data
   * stays on the old path until the punched comes back from that very address.
   */
  @Test
  void aNewAddressIsChallengedAndTheMoveWaitsForItsAnswer() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    answer(PUBLIC, MS);
    path.expectAnswer(2 * MS);
    actions.now = 3 * MS;
    path.onAuthenticated(OTHER, true, 3 * MS);
    assertEquals(PUBLIC, path.address(), "no move before the challenge is answered");
    Recorder.Punch challenge = actions.lastTo(OTHER);
    path.onPunched(challenge.txId(), PUBLIC, 4 * MS);
    assertEquals(PUBLIC, path.address(), "an answer from another address does not validate " + OTHER);
    path.onPunched(challenge.txId(), OTHER, 5 * MS);
    assertEquals(OTHER, path.address(), "the answered challenge moves the path");
    assertEquals(PathState.DIRECT, path.state());
  }

  @Test
  void anOldPacketFromANewAddressChallengesNothing() {
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    answer(PUBLIC, MS);
    path.expectAnswer(2 * MS);
    path.onAuthenticated(OTHER, false, 3 * MS);
    assertEquals(0, actions.count(OTHER), "no challenge for a packet that is not the newest");
    assertEquals(PUBLIC, path.address());
  }

  @Test
  void oneChallengeInFlightRateLimitedAndAbandonedAfterItsTimeout() {
    Endpoint third = new Endpoint("198.51.100.10", 6666);
    introduce(false, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    answer(PUBLIC, MS);
    path.expectAnswer(2 * MS);
    path.onAuthenticated(OTHER, true, 3 * MS);
    path.expectAnswer(3 * MS);
    path.onAuthenticated(third, true, 4 * MS);
    assertEquals(1, actions.count(OTHER));
    assertEquals(0, actions.count(third), "one challenge in flight per peer");
    long abandoned = 3 * MS + Timing.PATH_CHALLENGE_TIMEOUT_NANOS;
    runUntil(abandoned);
    assertEquals(false, path.validating(), "unanswered, the challenge is abandoned after its timeout");
    path.onPunched(actions.lastTo(OTHER).txId(), OTHER, abandoned + MS);
    assertTrue(!OTHER.equals(path.address()), "a late answer moves nothing");
    path.expectAnswer(abandoned + MS);
    path.onAuthenticated(third, true, abandoned + MS);
    assertEquals(1, actions.count(third), "the next new address is challenged once the first is abandoned");
    path.expectAnswer(abandoned + 2 * MS);
    path.onAuthenticated(OTHER, true, abandoned + 2 * MS);
    assertEquals(1, actions.count(OTHER), "in flight again: no second challenge");
  }

  @Test
  void closeStopsEverything() {
    introduce(true, new Candidate(PUBLIC, Candidate.Kind.PUBLIC));
    path.close("left the rendezvous");
    assertEquals(PathState.GONE, path.state());
    assertEquals(List.of(new Recorder.Change(PathState.GONE, null, "left the rendezvous")), actions.changes);
    assertEquals(Long.MAX_VALUE, path.nextDeadline());
    int before = actions.punches.size();
    path.onTimer(PUNCH_WINDOW * 10);
    assertEquals(before, actions.punches.size());
  }
}
