package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    LocalCodec.register(vertx, Items.class);
    String address = "turn-batch-test";
    List<List<String>> received = new ArrayList<>();
    vertx.eventBus().<Items>consumer(address, msg -> {
      received.add(msg.body().items());
      if (received.size() == 2) {
        test.verify(() -> assertEquals(List.of(List.of("a", "b", "c"), List.of("d")), received));
        test.completeNow();
      }
    }).completion().onSuccess(v -> {
      Context context = vertx.getOrCreateContext();
      context.runOnContext(turn -> {
        TurnBatch<String> batch = new TurnBatch<>(context, vertx.eventBus(), address, Items::new);
        batch.add("a");
        batch.add("b");
        batch.add("c");
        // Queued behind the batch's own end-of-turn send: a later turn.
        context.runOnContext(next -> batch.add("d"));
      });
    });
  }
}
