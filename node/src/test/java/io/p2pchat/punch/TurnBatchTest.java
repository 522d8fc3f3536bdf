package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What one event-loop turn adds arrives as one event-bus message, in order; the next turn's as another. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TurnBatchTest {

  /** A test-only body; registered with the local codec like the real batches. */
  record Items(List<String> items) {
  }

  @Test
  void oneMessagePerTurnInOrder(Vertx vertx, VertxTestContext test) {
    expect(vertx, test, List.of(List.of("a", "b", "c"), List.of("d")), (context, batch) -> {
      batch.add("a");
      batch.add("b");
      batch.add("c");
      // Queued behind the batch's own end-of-turn send: a later turn.
      context.runOnContext(next -> batch.add("d"));
    });
  }

  /**
   * {@code sendNow} sends the turn's items at once, and the turn's end then sends nothing more: an empty batch
   * would be a message with nothing in it.
   */
  @Test
  void sendNowSendsTheTurnsItemsAtOnceAndTheTurnsEndNothingMore(Vertx vertx, VertxTestContext test) {
    expect(vertx, test, List.of(List.of("a", "b"), List.of("c")), (context, batch) -> {
      batch.add("a");
      batch.add("b");
      batch.sendNow();
      // After the first turn's end-of-turn send: had that sent an empty batch, it would be the second message.
      context.runOnContext(next -> batch.add("c"));
    });
  }

  /**
   * Runs {@code firstTurn} with a new batch on a context of its own, once a consumer of the batch's address
   * listens; completes {@code test} when the messages it got are {@code expected}.
   */
  private static void expect(Vertx vertx, VertxTestContext test, List<List<String>> expected,
                             BiConsumer<Context, TurnBatch<String>> firstTurn) {
    LocalCodec.register(vertx, Items.class);
    String address = "turn-batch-test";
    List<List<String>> received = new ArrayList<>();
    vertx.eventBus().<Items>consumer(address, msg -> {
      received.add(msg.body().items());
      if (received.size() == expected.size()) {
        test.verify(() -> assertEquals(expected, received));
        test.completeNow();
      }
    }).completion().onSuccess(v -> {
      Context context = vertx.getOrCreateContext();
      context.runOnContext(turn -> firstTurn.accept(context,
        new TurnBatch<>(context, vertx.eventBus(), address, Items::new)));
    });
  }
}
