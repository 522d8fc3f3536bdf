package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.p2pchat.wire.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The node's side of registering the other address family ({@link AltAddress}), on a fake clock: an
 * {@code alt} at once after registering, retried with back-off until an {@code alt-ok}, given up after
 * {@link AltAddress#MAX_ATTEMPTS}; a challenge is answered only while proving; a new registration starts over.
 */
class AltAddressRetriesTest {

  private static final Endpoint SEEN = new Endpoint("2001:db8:b::2", 40000);

  private final List<String> sent = new ArrayList<>();
  private final List<AltAddress.State> states = new ArrayList<>();
  private final AltAddress alt = new AltAddress(new AltAddress.Actions() {
    @Override
    public void sendAlt() {
      sent.add("alt");
    }

    @Override
    public void sendConfirm(String address, String cookie) {
      sent.add("confirm " + address + " " + cookie);
    }

    @Override
    public void altChanged(AltAddress.State state, Endpoint address) {
      states.add(state);
    }
  });

  /** Fires the timer at each deadline up to {@code until}; returns the times alts were sent at. */
  private List<Long> runUntil(long until) {
    List<Long> at = new ArrayList<>();
    while (alt.nextDeadline() <= until) {
      long now = alt.nextDeadline();
      int before = sent.size();
      alt.onTimer(now);
      if (sent.size() > before) {
        at.add(now);
      }
    }
    return at;
  }

  @Test
  void anUnansweredAltIsSentAgainWithBackOffThenGivenUpOnce() {
    alt.onRegistered(0);
    List<Long> at = runUntil(TimeUnit.MINUTES.toNanos(10));
    long s = TimeUnit.SECONDS.toNanos(1);
    assertEquals(List.of(0L, s, 3 * s, 7 * s, 11 * s), at, "at once, then 1, 2, 4, 4 s apart");
    assertEquals(AltAddress.MAX_ATTEMPTS, sent.size());
    assertEquals(List.of(AltAddress.State.PROBING, AltAddress.State.GAVE_UP), states);
    assertEquals(Long.MAX_VALUE, alt.nextDeadline(), "nothing more until the next registration");
    alt.onRegistered(TimeUnit.MINUTES.toNanos(11));
    assertEquals(List.of(TimeUnit.MINUTES.toNanos(11)), runUntil(TimeUnit.MINUTES.toNanos(11)), "tried again at once");
  }

  @Test
  void aChallengeIsConfirmedAndAnOkEndsTheRetries() {
    alt.onRegistered(0);
    runUntil(0);
    alt.onChallenge(SEEN.toString(), "c00k1e");
    assertEquals(List.of("alt", "confirm [2001:db8:b::2]:40000 c00k1e"), sent);
    alt.onOk(SEEN);
    assertEquals(SEEN, alt.address());
    assertEquals(List.of(AltAddress.State.PROBING, AltAddress.State.VALIDATED), states);
    runUntil(TimeUnit.MINUTES.toNanos(10));
    assertEquals(2, sent.size(), "no more alts once validated");
    alt.onChallenge(SEEN.toString(), "late");
    assertEquals(2, sent.size(), "a late challenge is not confirmed again");
  }

  @Test
  void losingTheRegistrationForgetsTheAddressAndIgnoresStragglers() {
    alt.onRegistered(0);
    runUntil(0);
    alt.onOk(SEEN);
    alt.onNotRegistered();
    assertNull(alt.address());
    assertEquals(Long.MAX_VALUE, alt.nextDeadline());
    alt.onOk(SEEN);
    alt.onChallenge(SEEN.toString(), "stale");
    assertNull(alt.address(), "an alt-ok for an earlier registration changes nothing");
    assertEquals(1, sent.size(), sent.toString());
    assertEquals(List.of(AltAddress.State.PROBING, AltAddress.State.VALIDATED, AltAddress.State.OFF), states);
  }
}
