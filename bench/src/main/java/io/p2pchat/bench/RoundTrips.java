package io.p2pchat.bench;

import io.p2pchat.chat.ChatAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Round trips at a fixed rate: each message goes out through {@code chat.send}, the echo node
 * sends the same text back, and the time from the send request to the {@code chat.received} event
 * of the answer is one sample. A 1 ms timer sends what is due by the schedule in one request (so
 * sends come in bursts of rate/1000); a sample is taken from the real send time, not the scheduled one.
 */
final class RoundTrips {

  /** The sending timer: Vert.x timers have millisecond resolution. */
  private static final long TICK_MS = 1;
  /** After the last send, echoes still missing after this long are counted as lost. */
  private static final long LAST_ECHO_WAIT_MS = 10_000;

  private final Vertx vertx;
  private final ChatAddresses addresses;
  private final String peer;
  private final int size;
  private final int rate;
  private final long durationNanos;
  private final long warmupNanos;
  private final int total;
  private final long firstSeq;
  private final long[] sentAt;
  private final boolean[] answered;
  private final long[] samples;
  private final Promise<JsonObject> done = Promise.promise();
  private int sampleCount;
  private int sent;
  private int received;
  private long startNanos;
  private long sendEndNanos;
  private long tickTimer = -1;
  private long giveUpTimer = -1;

  /**
   * @param firstSeq the sequence number of the first message: above every earlier run's, so a late
   *                 echo of an earlier run is never taken for one of this run
   */
  RoundTrips(Vertx vertx, ChatAddresses addresses, String peer, int size, int rate, long durationMillis,
             long warmupMillis, long firstSeq) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.peer = peer;
    this.size = size;
    this.rate = rate;
    this.durationNanos = TimeUnit.MILLISECONDS.toNanos(durationMillis);
    this.warmupNanos = TimeUnit.MILLISECONDS.toNanos(warmupMillis);
    this.firstSeq = firstSeq;
    this.total = (int) Math.max(1, (long) rate * durationMillis / 1000);
    this.sentAt = new long[total];
    this.answered = new boolean[total];
    this.samples = new long[total];
  }

  Future<JsonObject> run() {
    startNanos = System.nanoTime();
    tickTimer = vertx.setPeriodic(TICK_MS, id -> tick());
    tick();
    return done.future();
  }

  long progress() {
    return sent + received;
  }

  /** An echoed text arrived at the sender. */
  void onEcho(String text, long nowNanos) {
    long index = BenchText.seq(text) - firstSeq;
    if (index < 0 || index >= sent || answered[(int) index]) {
      return;
    }
    answered[(int) index] = true;
    received++;
    if (sentAt[(int) index] - startNanos >= warmupNanos) {
      samples[sampleCount++] = nowNanos - sentAt[(int) index];
    }
    if (received == total) {
      finish();
    }
  }

  private void tick() {
    long due = Math.min(total, (System.nanoTime() - startNanos) * rate / 1_000_000_000L);
    if (sent < due) {
      // What is due goes as one request, as a program with several messages at once sends them.
      JsonArray texts = new JsonArray(new ArrayList<>((int) (due - sent)));
      long now = System.nanoTime();
      while (sent < due) {
        int index = sent++;
        texts.add(BenchText.make(BenchText.RTT, firstSeq + index, size));
        sentAt[index] = now;
      }
      vertx.eventBus().request(addresses.send(), BenchText.sendBody(peer, texts));
    }
    if (sent == total && tickTimer != -1) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
      sendEndNanos = System.nanoTime();
      giveUpTimer = vertx.setTimer(LAST_ECHO_WAIT_MS, id -> finish());
    }
  }

  private void finish() {
    if (done.future().isComplete()) {
      return;
    }
    vertx.cancelTimer(tickTimer);
    vertx.cancelTimer(giveUpTimer);
    Percentiles p = new Percentiles(samples, sampleCount);
    done.complete(new JsonObject()
      .put("rate", rate)
      .put("sent", sent)
      .put("nextSeq", firstSeq + sent)
      .put("received", received)
      .put("samples", p.count())
      .put("p50Us", micros(p.quantile(0.50)))
      .put("p90Us", micros(p.quantile(0.90)))
      .put("p99Us", micros(p.quantile(0.99)))
      .put("p999Us", micros(p.quantile(0.999)))
      .put("maxUs", micros(p.max()))
      .put("achievedRate", Math.round(sent / ((sendEndNanos - startNanos) / 1e9))));
  }

  private static long micros(long nanos) {
    return nanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMicros(nanos);
  }
}
