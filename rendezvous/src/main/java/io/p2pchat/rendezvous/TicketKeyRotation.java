package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.control.TicketKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the rendezvous's resumption ticket keys current: reads them from their {@link TicketKeyStore}
 * at start-up (creating the first set when there is none) and every {@link #REFRESH_MILLIS}, and when
 * {@link TicketKeys#rotationDue} publishes the rotated set there (compare-and-set: in a cluster the first
 * instance to rotate wins, the others adopt its set). The control channel asks {@link #get()} at every
 * handshake and RESUME. A store that cannot be read keeps the last set (tickets keep opening) and is
 * tried again at the next refresh. Lives on the verticle's event loop.
 */
public final class TicketKeyRotation implements Supplier<TicketKeys> {
  /**
   * How often the store is read: every minute. A rotation published by another instance is seen within
   * that, far inside {@link TicketKeys#PUBLISH_AHEAD_MILLIS}, and a single instance's timer costs nothing.
   */
  static final long REFRESH_MILLIS = TimeUnit.MINUTES.toMillis(1);

  private final Vertx vertx;
  private final TicketKeyStore store;
  private final NodeLog log;
  private final SecureRandom random = new SecureRandom();
  private volatile TicketKeys keys;
  private long timer = -1;

  private TicketKeyRotation(Vertx vertx, TicketKeyStore store, NodeLog log) {
    this.vertx = vertx;
    this.store = store;
    this.log = log;
  }

  /** Reads (or creates) the keys, then refreshes them every {@link #REFRESH_MILLIS}; fails if the first read fails. */
  public static Future<TicketKeyRotation> start(Vertx vertx, TicketKeyStore store, NodeLog log) {
    TicketKeyRotation rotation = new TicketKeyRotation(vertx, store, log);
    return rotation.refresh().map(v -> {
      rotation.timer = vertx.setPeriodic(REFRESH_MILLIS, id -> rotation.refresh()
        .onFailure(e -> log.warn("ticket keys not refreshed from {}: {}", store.describe(), e.getMessage())));
      log.info("resumption ticket keys from {}: {}", store.describe(), rotation.keys);
      return rotation;
    });
  }

  @Override
  public TicketKeys get() {
    return keys;
  }

  /** Stops the refresh timer. */
  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** Reads the stored set, rotates it when due, and adopts what the store holds in the end. */
  Future<Void> refresh() {
    return store.read().compose(text -> {
      long now = System.currentTimeMillis();
      TicketKeys seen = parse(text);
      TicketKeys next = seen == null ? TicketKeys.create(now, random) : seen.rotated(now, random);
      if (next == seen) {
        keys = seen;
        return Future.succeededFuture();
      }
      return store.replace(text, next.encode()).compose(stored -> {
        if (stored) {
          log.info("ticket keys rotated in {}: {}", store.describe(), next);
          keys = next;
          return Future.succeededFuture();
        }
        // Another instance rotated first: its set is the cluster's.
        return store.read().map(theirs -> {
          TicketKeys adopted = parse(theirs);
          keys = adopted != null ? adopted : keys;
          return null;
        });
      });
    });
  }

  private TicketKeys parse(String text) {
    if (text == null) {
      return null;
    }
    try {
      return TicketKeys.decode(text);
    } catch (IllegalArgumentException e) {
      // Another version's, or damaged: replaced by a new set (clients fall back to one full handshake).
      log.warn("ticket keys in {} unreadable ({}): new keys replace them", store.describe(), e.getMessage());
      return null;
    }
  }
}
