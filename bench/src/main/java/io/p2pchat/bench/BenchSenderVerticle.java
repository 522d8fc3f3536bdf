package io.p2pchat.bench;

import io.p2pchat.chat.ChatAddresses;
import io.p2pchat.node.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * The bench's sending driver, a node extension that uses only the public event-bus API. With the
 * {@link BenchPlan} of its config it: waits for the plan's path (direct, or relayed) to the echo node and for the echo
 * driver to answer; floods (warm-up, then measured); asks the echo driver how many flood messages
 * it got in order; measures round trips at a fixed rate; and prints one line on stdout,
 * {@code BENCH_RESULT {json}} (or {@code BENCH_ERROR reason}), for {@link Bench} to read.
 */
public class BenchSenderVerticle extends VerticleBase {

  static final String READY = "BENCH_READY";
  static final String RESULT = "BENCH_RESULT";
  static final String ERROR = "BENCH_ERROR";
  /** Printed at the end of the idle part: both nodes connected and silent for the plan's idle time. */
  static final String IDLE = "BENCH_IDLE";
  /**
   * After {@link #IDLE} the driver stays silent this long more, for the bench to read both processes' resident
   * memory (a read of /proc takes microseconds; a second is ample on a loaded machine).
   */
  private static final long IDLE_SAMPLE_GRACE_MS = 1_000;

  /** How often the path state is polled while connecting. */
  private static final long POLL_MS = 200;
  /** A hello is repeated this often until the echo driver answers (it may still be deploying). */
  private static final long HELLO_MS = 500;
  /**
   * A phase that makes no progress for this long has failed: longer than the node's 30 s delivery
   * deadline, so a stuck message is reported by the node (chat.failed) before the bench gives up.
   */
  private static final long STALL_MS = 40_000;

  /**
   * Round trips run at most at this fraction of the flood's rate (a round trip is two messages
   * through each node, so this loads each node to about half of what it can sustain): a latency figure at a rate the
   * node cannot sustain would measure a growing queue, not the path (matters for 16 KiB).
   */
  private static final double RTT_LOAD_FRACTION = 0.25;
  /** A warm-up round: a flood this long, then round trips this long. */
  private static final long WARMUP_FLOOD_MS = 4_000;
  private static final long WARMUP_RTT_MS = 2_000;
  /**
   * The warm-up ends after a round in which neither node's JIT compiled for more than this
   * fraction of the round: the steady state a long-running node is in.
   */
  private static final double JIT_QUIET_FRACTION = 0.02;
  /** Round trips run at least at this rate, however slow the flood was. */
  private static final int MIN_RTT_RATE = 10;

  private BenchPlan plan;
  private ChatAddresses addresses;
  private final HeapSampler heap = new HeapSampler();
  private Flood flood;
  private RoundTrips roundTrips;
  private Promise<String> echoWait;
  private char echoKind;
  private long lastProgress = -1;
  private long lastProgressAt;

  @Override
  public Future<?> start() {
    plan = BenchPlan.fromJson(config().getJsonObject(NodeOptions.EXTENSION_CONFIG, new JsonObject())
      .getJsonObject(BenchPlan.KEY));
    addresses = new ChatAddresses(config().getString("eventBusPrefix", "p2pchat"));
    heap.start(vertx);
    DriverEvents events = new DriverEvents(vertx, config());
    events.consume(addresses.delivered(), addresses.deliveredBatch(), delivered -> {
      if (flood != null) {
        flood.onDelivered(delivered.getString("id"));
      }
    });
    vertx.eventBus().<JsonObject>consumer(addresses.failed(), msg -> {
      if (flood != null) {
        flood.onFailed(msg.body().getString("id"));
      }
    });
    events.consume(addresses.received(), addresses.receivedBatch(), this::onReceived);
    vertx.setPeriodic(1000, id -> watchdog());
    // Not part of start(): the node's start must not wait for the whole bench.
    vertx.runOnContext(v -> runBench());
    return Future.succeededFuture();
  }

  private void runBench() {
    JsonObject result = new JsonObject().put("size", plan.size()).put("batch", plan.batch());
    connect()
      .compose(v -> {
        System.out.println(READY);
        return idle();
      })
      .compose(v -> warmUp(new JsonObject().put("messages", 0L).put("delivered", 0L).put("failed", 0L)
          .put("rounds", 0).put("nextSeq", 0L).put("nextRttSeq", 0L), System.nanoTime()))
      .compose(warmup -> {
        result.put("warmup", warmup);
        return floodRound(warmup.getLong("nextSeq"), plan.messages(), plan.millis());
      })
      .compose(measured -> {
        result.put("receiver", measured.remove("receiver"));
        result.put("flood", measured);
        return rttRound(rttRateAfter(measured), plan.rttMillis(), plan.rttWarmupMillis(),
          result.getJsonObject("warmup").getLong("nextRttSeq"));
      })
      .compose(rtt -> {
        result.put("rtt", rtt).put("memory", heap.figures());
        return nodeStats();
      })
      .compose(stats -> {
        result.put("nodeStats", stats);
        return vertx.eventBus().request(addresses.send(),
          new JsonObject().put("text", BenchText.make(BenchText.DONE, 0, 1)).put("to", plan.peer()));
      })
      .onSuccess(v -> System.out.println(RESULT + " " + result.encode()))
      .onFailure(e -> System.out.println(ERROR + " " + e.getMessage()));
  }

  /**
   * One flood as it is measured, warm-up and measurement alike: the node's counters ({@code punch.stats}), the
   * mark that starts the echo driver's clock, this JVM's CPU, JIT and allocation counters, the flood, the counters
   * again, then the echo driver's count and figures ({@code "receiver"}). The warm-up runs these very steps so
   * that the measured flood runs no code for the first time: when only the measured flood read the JVM's
   * counters, the classes that loaded then (management beans, GC notifications) cost the compiled code of both
   * nodes its assumptions, and C2 compiled for 300-470 ms of the sender's measured flood (a tenth of its CPU).
   *
   * @return {@code messages, delivered, failed, rejected, seconds, drainSeconds, nextSeq, datagramsOut,
   *   datagramsIn, cpuMicros, jitMillis, jvm, receiver}
   */
  private Future<JsonObject> floodRound(long firstSeq, long messages, long millis) {
    return nodeStats().compose(before -> {
        // Ordered before the flood on the stream: the echo driver's CPU clock starts with it.
        vertx.eventBus().request(addresses.send(),
          new JsonObject().put("text", BenchText.make(BenchText.MARK, 0, 1)).put("to", plan.peer()));
        long cpuStart = HeapSampler.processCpuNanos();
        long jitStart = HeapSampler.compileMillis();
        JvmCounters start = JvmCounters.now();
        flood = new Flood(vertx, addresses, plan.peer(), plan.size(), plan.window(), plan.batch(), firstSeq,
          messages, TimeUnit.MILLISECONDS.toNanos(millis));
        return flood.run().compose(measured -> nodeStats().map(after -> {
          flood = null;
          return measured
            .put("datagramsOut", after.getLong("datagramsOut") - before.getLong("datagramsOut"))
            .put("datagramsIn", after.getLong("datagramsIn") - before.getLong("datagramsIn"))
            .put("cpuMicros", (HeapSampler.processCpuNanos() - cpuStart) / 1000)
            .put("jitMillis", HeapSampler.compileMillis() - jitStart)
            .put("jvm", start.since());
        }));
      })
      .compose(measured -> askEcho(BenchText.END, measured.getLong("nextSeq"), BenchText.END_ACK).map(answer -> {
        // "e<count> <outOfOrder> <cpuMicros> <allocatedBytes> <gcCount> <gcMillis> <gcMaxMillis>"
        String[] parts = answer.substring(1).split(" ");
        return measured.put("receiver", new JsonObject()
          .put("count", Long.parseLong(parts[0])).put("outOfOrder", Long.parseLong(parts[1]))
          .put("cpuMicros", Long.parseLong(parts[2]))
          .put("jvm", new JsonObject().put("allocatedBytes", Long.parseLong(parts[3]))
            .put("gcCount", Long.parseLong(parts[4])).put("gcMillis", Long.parseLong(parts[5]))
            .put("gcMaxMillis", Long.parseLong(parts[6]))));
      }));
  }

  /** Round trips as they are measured, warm-up and measurement alike: with this JVM's counters ({@code "jvm"}). */
  private Future<JsonObject> rttRound(int rate, long millis, long warmupMillis, long firstSeq) {
    roundTrips = new RoundTrips(vertx, addresses, plan.peer(), plan.size(), rate, millis, warmupMillis, firstSeq);
    JvmCounters start = JvmCounters.now();
    return roundTrips.run().map(rtt -> {
      roundTrips = null;
      return rtt.put("jvm", start.since());
    });
  }

  /**
   * Warms both nodes up on what is measured, in rounds of a flood then round trips, until the JIT
   * compilers of both were quiet for a round or the warm-up time is over. On two shared cores C2
   * otherwise still compiles, taking up to half of each node's CPU, well into the measurement
   * (a fixed 20 s flood left it compiling through the round trips, which it had not warmed).
   */
  private Future<JsonObject> warmUp(JsonObject totals, long startNanos) {
    long senderJitBefore = HeapSampler.compileMillis();
    return echoJitMillis().compose(echoJitBefore -> warmUpRound(totals)
      .compose(v -> echoJitMillis())
      .map(echoJitAfter -> Math.max(HeapSampler.compileMillis() - senderJitBefore, echoJitAfter - echoJitBefore)))
      .compose(jitMillis -> {
        long elapsedNanos = System.nanoTime() - startNanos;
        totals.put("rounds", totals.getInteger("rounds") + 1).put("lastRoundJitMillis", jitMillis)
          .put("seconds", elapsedNanos / 1e9);
        boolean quiet = jitMillis < (WARMUP_FLOOD_MS + WARMUP_RTT_MS) * JIT_QUIET_FRACTION;
        return quiet || elapsedNanos >= TimeUnit.MILLISECONDS.toNanos(plan.warmupMillis())
          ? Future.succeededFuture(totals) : warmUp(totals, startNanos);
      });
  }

  /**
   * The idle part: nothing sent for the plan's idle time, then {@link #IDLE}, then the grace for the bench's
   * reading. What an idle node costs (a chat client left open) is read here, before any flood grew its heap.
   */
  private Future<Void> idle() {
    if (plan.idleMillis() <= 0) {
      return Future.succeededFuture();
    }
    return vertx.timer(plan.idleMillis())
      .compose(v -> {
        System.out.println(IDLE);
        return vertx.timer(IDLE_SAMPLE_GRACE_MS);
      })
      .mapEmpty();
  }

  /** One warm-up round, a flood then round trips at the rate the flood allows; adds to {@code totals}. */
  private Future<Void> warmUpRound(JsonObject totals) {
    return floodRound(totals.getLong("nextSeq"), plan.warmupMessages(), WARMUP_FLOOD_MS)
      .compose(flooded -> {
        totals.put("messages", totals.getLong("messages") + flooded.getLong("messages"))
          .put("delivered", totals.getLong("delivered") + flooded.getLong("delivered"))
          .put("failed", totals.getLong("failed") + flooded.getLong("failed"))
          .put("nextSeq", flooded.getLong("nextSeq"));
        return rttRound(rttRateAfter(flooded), WARMUP_RTT_MS, 0, totals.getLong("nextRttSeq"));
      })
      .map(trips -> {
        totals.put("nextRttSeq", trips.getLong("nextSeq"));
        return null;
      });
  }

  /** The echo node's JIT compile time so far, in ms. */
  private Future<Long> echoJitMillis() {
    return askEcho(BenchText.JIT, 0, BenchText.JIT_ACK).map(answer -> Long.parseLong(answer.substring(1)));
  }

  /** Round trips per second after {@code flood}: a quarter of its rate, within the plan's rate and the floor. */
  private int rttRateAfter(JsonObject flood) {
    double floodRate = flood.getLong("delivered") / flood.getDouble("seconds");
    return (int) Math.max(MIN_RTT_RATE, Math.min(plan.rttRate(), floodRate * RTT_LOAD_FRACTION));
  }

  /** The node's datagram and drop counters ({@code punch.stats}). */
  private Future<JsonObject> nodeStats() {
    return vertx.eventBus().<JsonObject>request(addresses.stats(), null).map(Message::body);
  }

  /** The plan's path to the peer, then a hello answered by its echo driver, within connectMillis. */
  private Future<Void> connect() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(plan.connectMillis());
    Promise<Void> reached = Promise.promise();
    String[] lastState = {"not introduced"};
    long poll = vertx.setPeriodic(POLL_MS, id -> {
      if (System.nanoTime() - deadline > 0) {
        reached.tryFail("no " + plan.path() + " path to " + plan.peer() + " within " + plan.connectMillis() / 1000
          + " s (its state: " + lastState[0] + ")");
        return;
      }
      vertx.eventBus().<JsonObject>request(addresses.peers(), null).onSuccess(reply -> {
        JsonArray peers = reply.body().getJsonArray("peers");
        for (int i = 0; i < peers.size(); i++) {
          JsonObject p = peers.getJsonObject(i);
          if (plan.peer().equals(p.getString("nick"))) {
            lastState[0] = p.getString("state");
            if (lastState[0].startsWith(plan.path())) {
              reached.tryComplete();
            }
          }
        }
      });
    });
    return reached.future()
      .eventually(() -> {
        vertx.cancelTimer(poll);
        return Future.succeededFuture();
      })
      .compose(v -> askEcho(BenchText.HELLO, 0, BenchText.HELLO)
        .timeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture("the echo driver of " + plan.peer() + " did not answer within "
          + plan.connectMillis() / 1000 + " s")))
      .mapEmpty();
  }

  /** Sends {@code kind seq} (repeated for hellos) and completes with the first answer of {@code answerKind}. */
  private Future<String> askEcho(char kind, long seq, char answerKind) {
    echoWait = Promise.promise();
    echoKind = answerKind;
    Runnable send = () -> vertx.eventBus().request(addresses.send(),
      new JsonObject().put("text", BenchText.make(kind, seq, 1)).put("to", plan.peer()));
    send.run();
    long repeat = kind == BenchText.HELLO ? vertx.setPeriodic(HELLO_MS, id -> send.run()) : -1;
    return echoWait.future().eventually(() -> {
      vertx.cancelTimer(repeat);
      return Future.succeededFuture();
    });
  }

  private void onReceived(JsonObject received) {
    long now = System.nanoTime();
    String text = received.getString("text", "");
    char kind = BenchText.kind(text);
    if (kind == BenchText.RTT && roundTrips != null) {
      roundTrips.onEcho(text, now);
    } else if (echoWait != null && kind == echoKind) {
      echoWait.tryComplete(text);
    }
  }

  /** Fails the bench when a flood or the round trips stop making progress. */
  private void watchdog() {
    long progress = flood != null ? flood.progress() : roundTrips != null ? roundTrips.progress() : -1;
    long now = System.nanoTime();
    if (progress != lastProgress) {
      lastProgress = progress;
      lastProgressAt = now;
    } else if (progress >= 0 && now - lastProgressAt > TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
      System.out.println(ERROR + " no progress for " + STALL_MS / 1000 + " s (" + progress + " messages done)");
      lastProgressAt = now;
    }
  }
}
