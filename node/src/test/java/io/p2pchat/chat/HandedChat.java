package io.p2pchat.chat;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.p2pchat.node.NodeOptions;
import io.p2pchat.punch.PunchEvent;
import io.p2pchat.punch.PunchEventBatch;
import io.p2pchat.wire.ChatPayload;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Alice's ChatVerticle alone on a real Vert.x context, handed what her PunchVerticle would hand it ({@link #hand}):
 * what it publishes as {@code chat.received} ({@link #next}) and lists as its history ({@link #history}).
 */
final class HandedChat {

  /** Longest wait for one event or answer: generous for a loaded 2-core machine, far under a test's timeout. */
  static final long WAIT_S = 20;

  private final Vertx vertx;
  private final NodeOptions options;
  private final LongSupplier clock;
  private final ChatAddresses addresses;
  private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  private String deployment;

  /** Alice's ChatVerticle on {@code dir} (her data and logs), with {@code clock} as her clock; deployed. */
  HandedChat(Vertx vertx, Path dir, LongSupplier clock) throws Exception {
    this.vertx = vertx;
    this.clock = clock;
    options = new NodeOptions(new JsonObject().put("nick", "alice").put("dataDir", dir.toString())
      .put("logDir", dir.toString()));
    addresses = new ChatAddresses(options.eventBusPrefix());
    await(vertx.eventBus().<JsonObject>consumer(addresses.received(), m -> received.add(m.body())).completion());
    deploy();
  }

  /** The room alice is in. */
  String room() {
    return options.room();
  }

  /** Stops alice's ChatVerticle (its journal closed) and starts a new one on the same data directory. */
  void restart() throws Exception {
    await(vertx.undeploy(deployment));
    deploy();
  }

  private void deploy() throws Exception {
    deployment = await(vertx.deployVerticle(new ChatVerticle(options, clock)));
  }

  /** A room message's payload as a peer's session delivers it. */
  static byte[] payload(long ts, String id, String text) {
    return new ChatPayload(false, ts, id, text).encode();
  }

  /** Hands {@code events} to ChatVerticle as one turn of PunchVerticle's news. */
  void hand(PunchEvent... events) {
    vertx.eventBus().publish(addresses.punchEvents(), new PunchEventBatch(List.of(events)));
  }

  /** The next {@code chat.received}. */
  JsonObject next() throws InterruptedException {
    JsonObject e = received.poll(WAIT_S, TimeUnit.SECONDS);
    assertNotNull(e, "chat.received within " + WAIT_S + " s");
    return e;
  }

  /** The history of every conversation, oldest first. */
  JsonArray history() throws Exception {
    return await(vertx.eventBus().<JsonObject>request(addresses.history(), null)).body().getJsonArray("messages");
  }

  /** One field of each of {@code messages}, in order. */
  static List<String> field(JsonArray messages, String name) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      values.add(messages.getJsonObject(i).getString(name));
    }
    return values;
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
  }
}
