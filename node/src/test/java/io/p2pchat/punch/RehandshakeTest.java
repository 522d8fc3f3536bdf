package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.crypto.TransportCipher;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 15, "Handshakes and paths": a new handshake resets the send counter and the rekey schedule.
 * Two sessions talk for longer than ten rekey intervals (each interval moves the send key one epoch
 * on), then one side restarts and they handshake again. The fresh cipher starts at epoch 0 and takes
 * a counter at most {@link TransportCipher#MAX_EPOCH_ADVANCE} epochs ahead: a counter carried over
 * from the old keys made every send of the survivor throw.
 */
class RehandshakeTest {

  /** More epochs than a fresh cipher accepts a counter ahead by: the bug needs at least nine. */
  private static final int EPOCHS = 10;
  /** A rekey happens at the first flush after the interval passed: a second past it is enough. */
  private static final long PAST_INTERVAL_NANOS = SecureChannel.REKEY_INTERVAL_NANOS + TimeUnit.SECONDS.toNanos(1);
  /** Replays of the handshake: enough to cover several rekey intervals. */
  private static final int REPLAYS = 5;
  /** Below the rekey interval, so each replay would have come before the rekey it postponed. */
  private static final long REPLAY_EVERY_NANOS = TimeUnit.SECONDS.toNanos(100);
  /** Time for punches, handshake and delivery on a path that takes no time. */
  private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);

  @ParameterizedTest(name = "the {0} restarts")
  @ValueSource(strings = {"responder", "initiator"})
  void aSessionOlderThanTenEpochsSurvivesARehandshake(String restarting) {
    SessionPair net = new SessionPair();
    net.connect();
    // alice < bob: alice initiates the handshake.
    SessionPair.Side restarts = restarting.equals("initiator") ? net.alice : net.bob;
    SessionPair.Side survives = restarts.peer;

    for (int i = 1; i <= EPOCHS; i++) {
      net.advance(PAST_INTERVAL_NANOS);
      net.exchange("before restart " + i, SETTLE_NANOS);
    }
    long oldCounter = last(survives.dataCounters);
    assertTrue(TransportCipher.epochOf(oldCounter) >= EPOCHS,
      "the survivor's send key should be " + EPOCHS + " epochs on, counter " + oldCounter);

    int sentBefore = survives.dataCounters.size();
    restarts.start();
    net.introduceBoth();
    net.advance(SETTLE_NANOS);
    assertTrue(survives.session.fingerprint() != null && restarts.session.fingerprint() != null,
      "handshake again");

    net.exchange("after restart", SETTLE_NANOS);
    List<Long> fresh = survives.dataCounters.subList(sentBefore, survives.dataCounters.size());
    assertEquals(1L, fresh.get(0), "the first DATA under the new keys is counter 1 " + fresh);
    assertEquals(0L, TransportCipher.epochOf(last(fresh)), "epoch 0 under the new keys " + fresh);

    // And the schedule is a fresh one too: one interval after the handshake, one epoch on.
    net.advance(PAST_INTERVAL_NANOS);
    net.exchange("one interval later", SETTLE_NANOS);
    assertEquals(1L, TransportCipher.epochOf(last(survives.dataCounters)), "one rekey since the handshake");
  }

  /**
   * The schedule restarts only when new keys exist: a replayed handshake message 3 (anyone on the
   * path can capture one) once reset it, so replaying it every minute kept one key forever.
   */
  @Test
  void aReplayedHandshakeMessageDoesNotPostponeTheRekey() {
    SessionPair net = new SessionPair();
    net.connect();
    Buffer message3 = last(net.alice.handshakes);
    for (int i = 0; i < REPLAYS; i++) {
      net.advance(REPLAY_EVERY_NANOS);
      net.alice.transmit(message3);
      net.pump();
    }
    net.exchange("after the replays", SETTLE_NANOS);
    // Epochs advance by use: a key no packet used is skipped for free, so an idle stretch of several
    // intervals is one epoch on, not one per interval. What matters is that bob left epoch 0.
    assertTrue(TransportCipher.epochOf(last(net.bob.dataCounters)) >= 1,
      "bob rekeyed on schedule despite the replays, counter " + last(net.bob.dataCounters));
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
