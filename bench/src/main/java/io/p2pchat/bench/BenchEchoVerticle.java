package io.p2pchat.bench;

import io.p2pchat.chat.ChatAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bench's receiving driver, a node extension that uses only the public event-bus API: it
 * counts flood messages and checks they arrive in order, echoes hellos and round-trip messages
 * back to their sender, answers "how many?" after a flood, and when told the run is over prints
 * {@code BENCH_RECEIVER {json}} on stdout for {@link Bench} to read.
 */
public class BenchEchoVerticle extends VerticleBase {

  static final String RECEIVER = "BENCH_RECEIVER";

  private final HeapSampler heap = new HeapSampler();
  private ChatAddresses addresses;
  private long floodCount;
  private long expectedSeq;
  private long outOfOrder;
  private long cpuAtMark = -1;
  /** This JVM's allocation and GC counters at the flood's mark, then at its end (the round trips follow). */
  private JvmCounters phaseStart;
  /** Texts to echo at the end of this turn, by sender. */
  private final Map<String, JsonArray> echoes = new LinkedHashMap<>();

  @Override
  public Future<?> start() {
    addresses = new ChatAddresses(config().getString("eventBusPrefix", "p2pchat"));
    heap.start(vertx);
    new DriverEvents(vertx, config()).consume(addresses.received(), addresses.receivedBatch(), this::onReceived);
    return Future.succeededFuture();
  }

  private void onReceived(JsonObject in) {
    String text = in.getString("text", "");
    String from = in.getString("from");
    switch (BenchText.kind(text)) {
      case BenchText.FLOOD:
        long seq = BenchText.seq(text);
        if (seq != expectedSeq) {
          outOfOrder++;
        }
        expectedSeq = seq + 1;
        floodCount++;
        break;
      case BenchText.HELLO:
      case BenchText.RTT:
        reply(from, text);
        break;
      case BenchText.JIT:
        reply(from, BenchText.JIT_ACK + Long.toString(HeapSampler.compileMillis()));
        break;
      case BenchText.MARK:
        cpuAtMark = HeapSampler.processCpuNanos();
        phaseStart = JvmCounters.now();
        break;
      case BenchText.END:
        long cpuMicros = cpuAtMark < 0 ? -1 : (HeapSampler.processCpuNanos() - cpuAtMark) / 1000;
        JsonObject flood = phaseStart == null ? new JsonObject() : phaseStart.since();
        phaseStart = JvmCounters.now();
        reply(from, BenchText.END_ACK + Long.toString(floodCount) + " " + outOfOrder + " " + cpuMicros
          + " " + flood.getLong("allocatedBytes", -1L) + " " + flood.getLong("gcCount", -1L)
          + " " + flood.getLong("gcMillis", -1L) + " " + flood.getLong("gcMaxMillis", -1L));
        break;
      case BenchText.DONE:
        // The round trips ran between the flood's END and this: their allocation and GC, as "rttJvm".
        JsonObject figures = heap.figures().put("count", floodCount).put("outOfOrder", outOfOrder)
          .put("rttJvm", phaseStart == null ? null : phaseStart.since());
        vertx.eventBus().<JsonObject>request(addresses.stats(), null)
          .onComplete(stats -> System.out.println(RECEIVER + " "
            + figures.put("nodeStats", stats.succeeded() ? stats.result().body() : null).encode()));
        break;
      default:
        break;
    }
  }

  /** Echoes go out at the end of the turn, as one request per peer (the batch form when several). */
  private void reply(String to, String text) {
    if (echoes.isEmpty()) {
      vertx.runOnContext(v -> sendEchoes());
    }
    echoes.computeIfAbsent(to, k -> new JsonArray()).add(text);
  }

  private void sendEchoes() {
    echoes.forEach((to, texts) -> vertx.eventBus().request(addresses.send(), BenchText.sendBody(to, texts)));
    echoes.clear();
  }
}
