package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 3, test 11: the client's registration link, driven by a fake clock. */
class RendezvousLinkTest {

  private static final long KEEP_ALIVE = TimeUnit.SECONDS.toNanos(15);
  private static final JsonObject REGISTER = Control.of(ControlType.REGISTER).put(Control.NICK, "alice")
    .put(Control.ROOM, "lobby").put(Control.INSTANCE, "alice-1").put(Control.LOCAL, new io.vertx.core.json.JsonArray());
  private static final JsonObject REGISTERED = Control.of(ControlType.REGISTERED).put(Control.NICK, "alice");

  private final List<String> log = new ArrayList<>();
  private final List<Long> registerTimes = new ArrayList<>();
  private long now;
  /** Until when the fake control handshake runs (registers wait in its queue); 0: no handshake. */
  private long handshakeUntil;
  private final RendezvousLink link = new RendezvousLink(new RendezvousLink.Actions() {
    @Override
    public void sendControl(JsonObject message) {
      log.add(message.getString(Control.TYPE));
      if ("register".equals(message.getString(Control.TYPE))) {
        registerTimes.add(now);
      }
    }

    @Override
    public void up(JsonObject registered) {
      log.add("up");
    }

    @Override
    public void down(String why) {
      log.add("down: " + why);
    }

    @Override
    public void unreachable() {
      log.add("next server");
    }

    @Override
    public boolean handshakeRunning(long at) {
      return at < handshakeUntil;
    }
  }, REGISTER, KEEP_ALIVE, io.p2pchat.crypto.NodeIdentity.generate());

  private void runUntil(long until) {
    while (link.nextDeadline() <= until) {
      now = link.nextDeadline();
      link.onTimer(now);
    }
    now = until;
  }

  @Test
  void registrationRetriesWithBackOffToACap() {
    link.start(0);
    runUntil(TimeUnit.SECONDS.toNanos(30));
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < registerTimes.size(); i++) {
      gaps.add(TimeUnit.NANOSECONDS.toMillis(registerTimes.get(i) - registerTimes.get(i - 1)));
    }
    assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 5000L, 5000L, 5000L, 5000L), gaps);
    assertEquals(RendezvousLink.State.REGISTERING, link.state());
  }

  @Test
  void registeredThenKeepAlivesAnswered() {
    link.start(0);
    now = TimeUnit.MILLISECONDS.toNanos(3);
    link.onRegistered(REGISTERED, now);
    assertEquals(List.of("register", "up"), log);
    assertEquals(RendezvousLink.State.REGISTERED, link.state());
    // Keep-alives every half of the down-after bound (4.5 s), whatever the path keep-alive.
    assertEquals(now + Timing.SERVER_DOWN_AFTER_NANOS / 2, link.nextDeadline());
    for (int i = 0; i < 5; i++) {
      runUntil(link.nextDeadline());
      link.onAnswer(now + 1);
    }
    assertEquals(List.of("register", "up", "keepalive", "keepalive", "keepalive", "keepalive", "keepalive"), log);
    // A repeated registered answer does not say up twice.
    link.onRegistered(REGISTERED, now);
    assertEquals(1, log.stream().filter("up"::equals).count());
  }

  @Test
  void sixUnansweredKeepAlivesMeanDownAndRegisterAgain() {
    link.start(0);
    link.onRegistered(REGISTERED, 0);
    log.clear();
    // A server that dies right after answering is declared down within the 9 s bound, not later.
    runUntil(Timing.SERVER_DOWN_AFTER_NANOS - 1);
    List<String> sixKeepAlives = java.util.Collections.nCopies(6, "keepalive");
    assertEquals(sixKeepAlives, log);
    assertEquals(RendezvousLink.State.REGISTERED, link.state());
    runUntil(Timing.SERVER_DOWN_AFTER_NANOS);
    List<String> expected = new ArrayList<>(sixKeepAlives);
    expected.addAll(List.of("down: no answer to 6 keep-alives", "next server", "register"));
    assertEquals(expected, log);
    assertEquals(RendezvousLink.State.REGISTERING, link.state());
    link.onRegistered(REGISTERED, now);
    assertEquals("up", log.get(log.size() - 1));
    assertEquals(RendezvousLink.State.REGISTERED, link.state());
  }

  /**
   * The NAT lab's lossy failover (20% loss each way): three keep-alives lost in a row moved a client to
   * another instance while its server was fine. Five lost and the sixth answered keeps the registration.
   */
  @Test
  void fiveLostKeepAlivesAndAnAnsweredSixthKeepTheServer() {
    link.start(0);
    link.onRegistered(REGISTERED, 0);
    log.clear();
    while (log.size() < 6) {
      now = link.nextDeadline();
      link.onTimer(now);
    }
    link.onAnswer(now + TimeUnit.MILLISECONDS.toNanos(100));
    runUntil(now + TimeUnit.MILLISECONDS.toNanos(100) + Timing.SERVER_DOWN_AFTER_NANOS / 2 - 1);
    assertEquals(java.util.Collections.nCopies(6, "keepalive"), log, "no down, no next server");
    assertEquals(RendezvousLink.State.REGISTERED, link.state());
  }

  @Test
  void threeUnansweredRegistrationsMoveToTheNextServerAndAnAnswerStopsThat() {
    link.start(0);
    runUntil(TimeUnit.MILLISECONDS.toNanos(1750));
    assertEquals(List.of("register", "register", "register", "next server", "register"), log);
    link.onAnswer(now);
    runUntil(TimeUnit.MILLISECONDS.toNanos(1750 + 2000 + 4000));
    assertEquals(List.of("register", "register", "register", "next server", "register", "register", "register"), log);
  }

  /**
   * The user trial: under load the control handshake took seconds, and the registrations queued behind it
   * were counted as unanswered, so the console said "unreachable" while the handshake was still retrying.
   * While it runs within its patience, the server is slow, not gone; once it gives up, the next server.
   */
  @Test
  void registrationsQueuedBehindARunningHandshakeDoNotMakeTheServerUnreachableUntilItGivesUp() {
    handshakeUntil = Timing.CONTROL_HANDSHAKE_PATIENCE_NANOS;
    link.start(0);
    runUntil(handshakeUntil - 1);
    assertEquals(List.of("register", "register", "register", "register", "register"), log,
      "registers at 0, 0.25, 0.75, 1.75, 3.75 s: no next server while the handshake retries");
    runUntil(TimeUnit.MILLISECONDS.toNanos(7750));
    assertEquals("next server", log.get(log.size() - 2), "the handshake gave up: the next register moves on");
    assertEquals(1, log.stream().filter("next server"::equals).count());
  }

  /**
   * Under loss: the server answered our registers with challenges but its {@code registered} (or our
   * signed register) was lost each time. It is alive, so each retry comes a second after the signed
   * register, never at the backed-off interval (5 s) a silent server earns.
   */
  @Test
  void aServerThatAnswersButLosesRegisteredIsRetriedWithinASecondAndARefusalWaitsLonger() throws Exception {
    link.start(0);
    runUntil(TimeUnit.MILLISECONDS.toNanos(7750)); // silent: back-off reached 4 s
    registerTimes.clear();
    JsonObject challenge = Control.of(ControlType.CHALLENGE)
      .put(Control.COOKIE, Control.base64(new byte[io.p2pchat.crypto.AddressCookie.LENGTH]));
    for (int i = 0; i < 3; i++) {
      link.onAnswer(now);
      link.onChallenge(challenge, now); // answered with the signed register, which is then lost
      long answeredAt = now;
      runUntil(link.nextDeadline());
      assertEquals(TimeUnit.NANOSECONDS.toMillis(Timing.REGISTER_ANSWER_TIMEOUT_NANOS),
        TimeUnit.NANOSECONDS.toMillis(now - answeredAt), "retry " + i);
    }
    assertEquals(RendezvousLink.State.REGISTERING, link.state());
    // A refusal (nick taken) is an answer too, but the next try waits the longest back-off.
    link.onChallenge(challenge, now);
    link.onRefused(now);
    long refusedAt = now;
    runUntil(link.nextDeadline());
    assertEquals(TimeUnit.NANOSECONDS.toMillis(Timing.REGISTER_MAX_RETRY_NANOS), TimeUnit.NANOSECONDS.toMillis(now - refusedAt));
  }

  @Test
  void notRegisteredMeansRegisterAtOnce() {
    link.start(0);
    link.onRegistered(REGISTERED, 0);
    log.clear();
    now = TimeUnit.SECONDS.toNanos(1);
    link.onNotRegistered(now);
    assertEquals(List.of("down: the rendezvous lost our registration", "register"), log);
    assertEquals(RendezvousLink.State.REGISTERING, link.state());
  }
}
