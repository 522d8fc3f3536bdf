package io.p2pchat.punch;

import io.vertx.core.Context;
import io.vertx.core.eventbus.EventBus;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Collects what one event-loop turn produces for another verticle and sends it as a single
 * event-bus message when the turn ends. A hand-off between verticles costs a few microseconds
 * (a message, a task on the receiver's loop); a burst of a thousand chat messages then pays it
 * once. Lives on its owner's context only.
 *
 * @param <T> one item
 */
public final class TurnBatch<T> {

  private final Context context;
  private final EventBus eventBus;
  private final String address;
  private final Function<List<T>, Object> wrap;
  private List<T> items = new ArrayList<>();

  /**
   * @param wrap makes the event-bus body (a record with a {@link LocalCodec}) from the items
   */
  public TurnBatch(Context context, EventBus eventBus, String address, Function<List<T>, Object> wrap) {
    this.context = context;
    this.eventBus = eventBus;
    this.address = address;
    this.wrap = wrap;
  }

  public void add(T item) {
    if (items.isEmpty()) {
      context.runOnContext(v -> send());
    }
    items.add(item);
  }

  private void send() {
    List<T> batch = items;
    items = new ArrayList<>();
    eventBus.send(address, wrap.apply(batch));
  }
}
