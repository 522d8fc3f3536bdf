package io.p2pchat.chat;

import io.p2pchat.client.ChatClient;
import io.p2pchat.punch.LocalCodec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an application following every {@code chat.received} through the typed API costs per message, node side
 * and client side: {@link MessageEvents} builds each event's body and publishes the turn's batches (per-message
 * events off, as a node whose applications all use {@code ChatClient} runs), and {@code handlers} handlers of one
 * {@link ChatClient} (per-message, plus the batch handler for 2) turn them into records on their own event loop.
 * One op = one message; an invocation is {@link #TURNS} node turns of {@link #TURN} messages, waited for until
 * every handler saw every message (the node's and the client's event loops both work, as in a node).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TypedEventsBench {

  /** Messages per node turn: what a flood's turn carries (60–130 in the bench's profiles). */
  static final int TURN = 100;
  /** Turns per invocation: enough that waiting for the last costs little per message. */
  static final int TURNS = 20;
  private static final String TEXT = "x".repeat(100);

  @Param({"1", "2"})
  public int handlers;

  private Vertx vertx;
  private Context node;
  private MessageEvents events;
  private ChatClient client;
  private final AtomicLong seen = new AtomicLong();
  private long ids;

  @Setup
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    node = vertx.getOrCreateContext();
    LocalCodec.register(vertx, LocalEventBatch.class);
    events = new MessageEvents(node, vertx.eventBus(), new ChatAddresses("bench"), false,
      LocalEventListeners.of(vertx));
    client = ChatClient.create(vertx, "bench");
    client.receivedHandler(m -> seen.incrementAndGet());
    if (handlers == 2) {
      client.receivedBatchHandler(list -> seen.addAndGet(list.size()));
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Benchmark
  @OperationsPerInvocation(TURN * TURNS)
  public long receivedThroughTheTypedApi() {
    long target = seen.get() + (long) TURN * TURNS * handlers;
    for (int t = 0; t < TURNS; t++) {
      long first = ids;
      ids += TURN;
      node.runOnContext(v -> {
        for (long id = first; id < first + TURN; id++) {
          events.received("m" + id, "alice", null, TEXT, id);
        }
      });
    }
    while (seen.get() < target) {
      LockSupport.parkNanos(10_000);
    }
    return seen.get();
  }
}
