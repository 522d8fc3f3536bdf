package io.p2pchat.punch;

import io.vertx.core.Context;
import io.vertx.core.eventbus.DeliveryOptions;
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
 * <p>Every batch is sent with local-only delivery: it is an internal hand-off between two
 * verticles of one node, whose body is passed by reference ({@link LocalCodec}) and cannot
 * cross a clustered event bus, so it never reaches another JVM even if someone there consumes
 * the same address.
 *
 * @param <T> one item
 */
public final class TurnBatch<T> {

  /** Local-only delivery, the same instance for every batch (never changed after). */
  private static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true);

  private final Context context;
  private final EventBus eventBus;
  private final String address;
  private final Function<List<T>, Object> wrap;
  private List<T> items = new ArrayList<>();

  /**
   * @param wrap makes the event-bus body (a record with a {@link LocalCodec}) from the items
   */
  /** A batch for {@code address}, a {@code localConsumer} of the same node. */
  public TurnBatch(Context context, EventBus eventBus, String address, Function<List<T>, Object> wrap) {
    this.context = context;
    this.eventBus = eventBus;
    this.address = address;
    this.wrap = wrap;
  }

  /** Adds {@code item} to this turn's batch; the first item of a turn schedules the send at the turn's end. */
  public void add(T item) {
    if (items.isEmpty()) {
      context.runOnContext(v -> send());
    }
    items.add(item);
  }

  /**
   * Sends this turn's items now rather than at the turn's end (nothing when there are none): for an owner that
   * stops, whose receiver may stop right after it and must have had everything first.
   */
  public void sendNow() {
    send();
  }

  private void send() {
    if (items.isEmpty()) {
      return; // sent by sendNow() earlier in the turn
    }
    List<T> batch = items;
    items = new ArrayList<>();
    eventBus.send(address, wrap.apply(batch), LOCAL_ONLY);
  }
}
