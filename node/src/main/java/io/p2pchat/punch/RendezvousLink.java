package io.p2pchat.punch;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlSigning;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

/**
 * The client's registration with the rendezvous, as a state machine driven by the time the
 * caller passes: register with back-off until answered, then keep-alives; six unanswered
 * keep-alives (or a {@code not-registered} error after a server restart) mean it is down, and
 * registration starts again by itself. Each {@code register} is answered by a {@code challenge}
 * (the server's cookie for our address), which the link answers at once with the same
 * registration plus the cookie and an Ed25519 signature (docs/PROTOCOL.md); a lost signed
 * register is retried by starting over, so a cookie never needs to be remembered. A server that
 * answered with a challenge is there: the retry after it comes within a second, not at the back-off
 * a silent server earned.
 *
 * <pre>
 * REGISTERING ──registered──▶ REGISTERED ──6 keep-alives unanswered / not-registered──▶ REGISTERING
 * </pre>
 */
final class RendezvousLink {

  enum State { REGISTERING, REGISTERED }

  /** What the link asks of its owner. */
  interface Actions {
    void sendControl(JsonObject message);

    /** Registered (again); {@code registered} is the server's answer. */
    void up(JsonObject registered);

    /** The server stopped answering. */
    void down(String why);

    /** The server has not answered for a while: time to try the next one of a cluster, if any. */
    default void unreachable() {
    }

    /**
     * True while the control channel's handshake runs within its patience: registrations sent meanwhile
     * wait for its session, so their going unanswered says nothing about the server yet.
     */
    default boolean handshakeRunning(long now) {
      return false;
    }

    /** The digest of the room as we know it, carried by each keep-alive (null: none). */
    default String view() {
      return null;
    }
  }

  private final Actions actions;
  /** Signs registrations over the server's cookie (see {@link #onChallenge}). */
  private final NodeIdentity identity;
  private final JsonObject registration;
  private final long keepAliveNanos;
  /** A keep-alive unanswered this long counts as a miss. */
  private final long replyTimeoutNanos;
  /** Registrations sent since the server last answered anything. */
  private int unansweredRegisters;
  private State state = State.REGISTERING;
  private long retryInterval = Timing.REGISTER_FIRST_RETRY_NANOS;
  private long nextSendAt;
  private long awaitingSince;
  private int misses;
  /** One signed answer per register sent: a flood of challenges cannot make us sign in a loop. */
  private boolean challengeAnswered;

  /** {@code registration}: the {@code register} message without key, cookie and signature. */
  RendezvousLink(Actions actions, JsonObject registration, long keepAliveNanos, NodeIdentity identity) {
    this(actions, registration, keepAliveNanos, Timing.SERVER_DOWN_AFTER_NANOS, identity);
  }

  /**
   * {@code downAfterNanos} bounds how long a dead server goes unnoticed: keep-alives every half of
   * it at most, and the misses that declare it down within the other half.
   */
  RendezvousLink(Actions actions, JsonObject registration, long keepAliveNanos, long downAfterNanos,
                 NodeIdentity identity) {
    this.actions = actions;
    this.identity = identity;
    this.registration = registration.copy().put(Control.KEY, Control.base64(identity.signingPublicKey()));
    this.keepAliveNanos = Math.min(Math.min(keepAliveNanos, Timing.SERVER_KEEPALIVE_MAX_NANOS), downAfterNanos / 2);
    this.replyTimeoutNanos = downAfterNanos / 2 / Timing.SERVER_KEEPALIVES_BEFORE_DOWN;
  }

  State state() {
    return state;
  }

  void start(long now) {
    nextSendAt = now;
    onTimer(now);
  }

  void onRegistered(JsonObject message, long now) {
    boolean wasDown = state != State.REGISTERED;
    state = State.REGISTERED;
    unansweredRegisters = 0;
    misses = 0;
    awaitingSince = 0;
    retryInterval = Timing.REGISTER_FIRST_RETRY_NANOS;
    nextSendAt = now + keepAliveNanos;
    if (wasDown) {
      actions.up(message);
    }
  }

  /** The server's cookie for our address: registration is signed over it. */
  void onChallenge(JsonObject message, long now) throws WireException {
    if (state != State.REGISTERING || challengeAnswered) {
      return;
    }
    byte[] cookie = Control.bytes(message, Control.COOKIE, AddressCookie.LENGTH);
    challengeAnswered = true;
    actions.sendControl(signedRegistration(cookie));
    // The server is there and answering (the challenge is sealed: only it can send one), so what went
    // missing is a datagram, not the server: start over soon rather than after the backed-off interval
    // that a silent server earned. Under 20% loss this is what keeps registration within seconds.
    retryInterval = Timing.REGISTER_ANSWER_TIMEOUT_NANOS;
    nextSendAt = now + Timing.REGISTER_ANSWER_TIMEOUT_NANOS;
  }

  /**
   * The server refused our registration (nick taken, busy, bad signature): it answers, but asking again
   * soon would only be refused again and cost it a signature check each time, so the next try waits the
   * longest back-off.
   */
  void onRefused(long now) {
    if (state == State.REGISTERING) {
      nextSendAt = now + Timing.REGISTER_MAX_RETRY_NANOS;
    }
  }

  /** The register message signed over {@code cookie}. */
  JsonObject signedRegistration(byte[] cookie) throws WireException {
    byte[] key = identity.signingPublicKey();
    byte[] signed = ControlSigning.register(Control.PROTOCOL_VERSION, cookie, key,
      registration.getString(Control.NICK), registration.getString(Control.ROOM),
      registration.getString(Control.INSTANCE), Control.endpointStrings(registration, Control.LOCAL));
    return registration.copy()
      .put(Control.COOKIE, Control.base64(cookie))
      .put(Control.SIG, Control.base64(identity.sign(signed)));
  }

  /** The signed {@code bye}: only this key, in this process, can end our registration. */
  JsonObject bye() {
    String nick = registration.getString(Control.NICK);
    String instance = registration.getString(Control.INSTANCE);
    byte[] key = identity.signingPublicKey();
    return Control.of(ControlType.BYE)
      .put(Control.NICK, nick)
      .put(Control.INSTANCE, instance)
      .put(Control.SIG, Control.base64(identity.sign(ControlSigning.bye(key, nick, instance))));
  }

  /** Any answer from the server shows it is alive. */
  void onAnswer(long now) {
    unansweredRegisters = 0;
    if (state == State.REGISTERED && awaitingSince != 0) {
      misses = 0;
      awaitingSince = 0;
      nextSendAt = now + keepAliveNanos;
    }
  }

  /** The server does not know us (it restarted, or our registration expired): register again. */
  void onNotRegistered(long now) {
    if (state == State.REGISTERED) {
      state = State.REGISTERING;
      actions.down("the rendezvous lost our registration");
    }
    nextSendAt = now;
    onTimer(now);
  }

  long nextDeadline() {
    return nextSendAt;
  }

  void onTimer(long now) {
    if (now < nextSendAt) {
      return;
    }
    if (state == State.REGISTERING) {
      challengeAnswered = false;
      if (++unansweredRegisters > Timing.SERVER_MISSES_BEFORE_DOWN && !actions.handshakeRunning(now)) {
        unansweredRegisters = 1;
        actions.unreachable();
      }
      actions.sendControl(registration);
      nextSendAt = now + retryInterval;
      retryInterval = Math.min(retryInterval * 2, Timing.REGISTER_MAX_RETRY_NANOS);
      return;
    }
    if (awaitingSince != 0 && ++misses >= Timing.SERVER_KEEPALIVES_BEFORE_DOWN) {
      state = State.REGISTERING;
      awaitingSince = 0;
      misses = 0;
      actions.down("no answer to " + Timing.SERVER_KEEPALIVES_BEFORE_DOWN + " keep-alives");
      actions.unreachable();
      nextSendAt = now;
      onTimer(now);
      return;
    }
    if (awaitingSince == 0) {
      awaitingSince = now;
    }
    JsonObject keepAlive = Control.of(ControlType.KEEPALIVE);
    String view = actions.view();
    if (view != null) {
      keepAlive.put(Control.VIEW, view);
    }
    actions.sendControl(keepAlive);
    // Check for the answer soon; a prompt answer moves the next keep-alive to a full interval.
    nextSendAt = now + replyTimeoutNanos;
  }
}
