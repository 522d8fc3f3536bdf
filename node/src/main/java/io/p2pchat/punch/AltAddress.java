package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;

import java.util.concurrent.TimeUnit;

/**
 * Registration over the second address family (docs/PROTOCOL.md, "Registering over both families"): once
 * registered over one family, the node sends an {@code alt} from its socket of the other family to the
 * rendezvous's address of that family, and answers the {@code alt-challenge} that comes back there with an
 * {@code alt-confirm} over the registered path, until an {@code alt-ok} says the rendezvous took the address.
 * A pure state machine, time passed in; the client sends what {@link #onTimer} and {@link #onChallenge} ask.
 *
 * <pre>
 * OFF ──registered──▶ PROBING ──alt-ok──▶ VALIDATED
 *  ▲                     │ MAX_ATTEMPTS alts unanswered
 *  │                     ▼
 *  └──not registered── GAVE_UP (the other family does not reach the rendezvous; tried again at the next registration)
 * </pre>
 */
final class AltAddress {

  /**
   * First retry of an unanswered {@code alt}: the rendezvous answers within a round trip (tens of
   * milliseconds), so after a second the datagram or its answer was lost; the signed register waits as long.
   */
  static final long FIRST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Retries back off to this: 1 + 2 + 4 + 4 s, so a lost datagram or two cost seconds, not the punch. */
  static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(4);
  /**
   * {@code alt}s sent per registration at most (about 11 s of trying): past that the other family does not
   * reach the rendezvous (no route, a firewall), and a node without it should not send forever.
   */
  static final int MAX_ATTEMPTS = 5;

  enum State { OFF, PROBING, VALIDATED, GAVE_UP }

  /** What the machine asks of the client. */
  interface Actions {
    /** Send an {@code alt} from the other family's socket to the rendezvous's address of that family. */
    void sendAlt();

    /** Send {@code alt-confirm} for {@code address} with {@code cookie} over the registered path. */
    void sendConfirm(String address, String cookie);

    /** The state changed ({@code address}: the validated one, or null). */
    void altChanged(State state, Endpoint address);
  }

  private final Actions actions;
  private State state = State.OFF;
  private Endpoint address;
  private int attempts;
  private long interval;
  private long nextAt = Long.MAX_VALUE;

  AltAddress(Actions actions) {
    this.actions = actions;
  }

  State state() {
    return state;
  }

  /** The validated address of the other family, or null. */
  Endpoint address() {
    return state == State.VALIDATED ? address : null;
  }

  /** Registered (again): start proving the other family's address at once. */
  void onRegistered(long now) {
    attempts = 0;
    interval = FIRST_RETRY_NANOS;
    nextAt = now;
    transition(State.PROBING, null);
  }

  /** No longer registered (down, moved to another server or transport): the alt is the rendezvous's to forget. */
  void onNotRegistered() {
    nextAt = Long.MAX_VALUE;
    if (state != State.OFF) {
      transition(State.OFF, null);
    }
  }

  /** The rendezvous's {@code alt-challenge}: the address it saw our alt come from and its cookie. */
  void onChallenge(String seen, String cookie) {
    if (state == State.PROBING) {
      actions.sendConfirm(seen, cookie);
    }
  }

  /** The rendezvous's {@code alt-ok}: it validated {@code seen}. */
  void onOk(Endpoint seen) {
    if (state == State.PROBING || (state == State.VALIDATED && !seen.equals(address))) {
      nextAt = Long.MAX_VALUE;
      transition(State.VALIDATED, seen);
    }
  }

  long nextDeadline() {
    return state == State.PROBING ? nextAt : Long.MAX_VALUE;
  }

  void onTimer(long now) {
    if (state != State.PROBING || now < nextAt) {
      return;
    }
    if (attempts >= MAX_ATTEMPTS) {
      nextAt = Long.MAX_VALUE;
      transition(State.GAVE_UP, null);
      return;
    }
    attempts++;
    nextAt = now + interval;
    interval = Math.min(interval * 2, MAX_RETRY_NANOS);
    actions.sendAlt();
  }

  /** The one place the state changes. */
  private void transition(State to, Endpoint validated) {
    state = to;
    address = validated;
    actions.altChanged(to, validated);
  }
}
