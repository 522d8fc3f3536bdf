package io.p2pchat.bench;

import io.p2pchat.chat.ChatAddresses;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * How a driver subscribes to a per-message event: on its per-message address (the default), or on its
 * batched form when its node runs with {@code events.perMessage: false} (the {@link SizeRun#BATCHED} run),
 * where nothing is published per message. Either way the handler gets each event's body, in order.
 */
final class DriverEvents {

  private final Vertx vertx;
  private final boolean batched;

  /** For a driver whose node config is {@code nodeConfig}. */
  DriverEvents(Vertx vertx, JsonObject nodeConfig) {
    this.vertx = vertx;
    this.batched = !nodeConfig.getJsonObject("events", new JsonObject()).getBoolean("perMessage", true);
  }

  /** Every event of {@code address} (its batched form is {@code batchAddress}), one body at a time. */
  void consume(String address, String batchAddress, Handler<JsonObject> each) {
    if (batched) {
      vertx.eventBus().<JsonObject>consumer(batchAddress, msg -> {
        for (Object event : msg.body().getJsonArray(ChatAddresses.BATCH_EVENTS)) {
          each.handle((JsonObject) event);
        }
      });
    } else {
      vertx.eventBus().<JsonObject>consumer(address, msg -> each.handle(msg.body()));
    }
  }
}
