package io.p2pchat.punch;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Tells the rendezvous the address our gateway's port mapping forwards to us ({@code portmap {address}},
 * docs/PROTOCOL.md "Candidates"), so peers are introduced with it as a candidate of kind {@code portmap}.
 * States: nothing to tell → telling (re-sent every {@link #RETRY_MS} until {@code portmap-ok} names the
 * address, at most {@link #MAX_ATTEMPTS} times per registration) → told. Told again after every
 * (re-)registration: the rendezvous forgets it when we move. Lives on PunchVerticle's event loop.
 */
final class PortmapReport {

  /** A control message lost on the way is re-sent after about one slow RTT, as other control messages are. */
  static final long RETRY_MS = 1000;
  /** Then the rendezvous does not take it (an old one, or our host is not the one it sees): stop asking. */
  static final int MAX_ATTEMPTS = 8;

  private enum State { IDLE, TELLING, TOLD }

  private final Vertx vertx;
  private final Consumer<JsonObject> control;
  private State state = State.IDLE;
  private Endpoint mapped;
  private boolean registered;
  private int attempts;
  /** The re-send timer of a {@code portmap} not yet answered (-1: none). */
  private long retryTimer = -1;

  PortmapReport(Vertx vertx, Consumer<JsonObject> control) {
    this.vertx = vertx;
    this.control = control;
  }

  /** Our mapped address changed (null: no mapping any more; the rendezvous keeps the last until we move). */
  void mapped(Endpoint address) {
    mapped = address;
    transition(address != null && registered ? State.TELLING : State.IDLE);
  }

  void onRegistered() {
    registered = true;
    transition(mapped != null ? State.TELLING : State.IDLE);
  }

  void onNotRegistered() {
    registered = false;
    transition(State.IDLE);
  }

  void onOk(Endpoint address) {
    if (state == State.TELLING && address.equals(mapped)) {
      transition(State.TOLD);
    }
  }

  /** The one transition function: every state change and its timer goes through here. */
  private void transition(State next) {
    vertx.cancelTimer(retryTimer);
    retryTimer = -1;
    state = next;
    if (next == State.TELLING) {
      attempts = 0;
      tell();
    }
  }

  private void tell() {
    if (state != State.TELLING || attempts >= MAX_ATTEMPTS) {
      return;
    }
    attempts++;
    control.accept(Control.of(ControlType.PORTMAP).put(Control.ADDRESS, mapped.toString()));
    retryTimer = vertx.setTimer(RETRY_MS, t -> tell());
  }

  /** For {@code netcheck}: what we told the rendezvous. */
  String state() {
    return state.name().toLowerCase();
  }
}
