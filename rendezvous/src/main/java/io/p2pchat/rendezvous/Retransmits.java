package io.p2pchat.rendezvous;

import io.p2pchat.wire.Control;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The control messages that must reach a client ({@code introduce}, {@code gone}) until it acks
 * them: a pure state machine, time passed in (quic-go's sent-packet handler in miniature). Each
 * message gets a message id ({@link Control#MID}), is kept per client under a <em>subject</em> (the
 * peer it is about) and sent again with exponential back-off until the client's {@code ack}, or
 * until it is moot:
 *
 * <pre>
 * OUTSTANDING ──ack(mid)──────────────────────────────▶ done
 *     │  ├─newer message, same client and subject────▶ replaced (the newer one is outstanding)
 *     │  ├─client left / registered anew (forget)────▶ moot
 *     │  └─over the per-client cap (oldest first)────▶ dropped, counted; the keep-alive's view repairs it
 *     └─deadline: sent again, back-off doubled; after MAX_TRIES sends ─▶ given up, counted
 * </pre>
 *
 * Lives on the rendezvous verticle's event loop; the verticle arms one timer at {@link #nextDeadline}.
 */
final class Retransmits {

  /** First retransmission: a few loopback-to-continental RTTs, so one loss costs a quarter second. */
  static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  /**
   * Back-off cap: a fifth of a node's default punch window (5 s). Both peers of an introduction punch
   * at once; a late copy to one side must arrive while the other side still punches, else the pair
   * waits for the next upgrade round (15 s). A 4 s cap let 40% loss delay one side past the window
   * about once per hundred introductions; 1 s needs six losses in a row for that.
   */
  static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * Sends of one message at most (the first included): 250 ms, 0.5 s, then 1 s apart, about 10.75 s
   * in all; twelve losses in a row at 50% loss happen for one message in four thousand, and a
   * message given up on is repaired by the client's next keep-alive view.
   */
  static final int MAX_TRIES = 12;
  /**
   * Outstanding messages per client: one per peer in its room at most (the subject keeps only the
   * newest), so this bounds memory for a room of that many; past it the oldest is dropped.
   */
  static final int DEFAULT_MAX_PER_CLIENT = 256;

  /** A message to send (again) now. */
  record Due(String client, JsonObject message) {
  }

  /** One outstanding message. */
  private static final class Pending {
    final long mid;
    final String instance;
    final JsonObject message;
    int tries = 1;
    long interval = FIRST_RETRY_NANOS;
    long nextAt;

    Pending(long mid, String instance, JsonObject message, long nextAt) {
      this.mid = mid;
      this.instance = instance;
      this.message = message;
      this.nextAt = nextAt;
    }
  }

  private final int maxPerClient;
  /** Client nick → subject → its outstanding message, oldest first. */
  private final Map<String, LinkedHashMap<String, Pending>> byClient = new HashMap<>();
  private long nextMid = 1;
  private long retransmitted;
  private long acked;
  private long gaveUp;
  private long overCap;

  Retransmits() {
    this(DEFAULT_MAX_PER_CLIENT);
  }

  Retransmits(int maxPerClient) {
    if (maxPerClient < 1) {
      throw new IllegalArgumentException("maxPerClient must be at least 1");
    }
    this.maxPerClient = maxPerClient;
  }

  /**
   * Files {@code message} for {@code client} (in its process {@code instance}) about {@code subject},
   * replacing what was outstanding about the same subject, and returns it with its message id set:
   * the caller sends that copy now.
   */
  JsonObject send(String client, String instance, String subject, JsonObject message, long now) {
    long mid = nextMid++;
    JsonObject withMid = message.copy().put(Control.MID, mid);
    LinkedHashMap<String, Pending> pending = byClient.computeIfAbsent(client, c -> new LinkedHashMap<>());
    pending.remove(subject);
    if (pending.size() >= maxPerClient) {
      Iterator<Map.Entry<String, Pending>> oldest = pending.entrySet().iterator();
      oldest.next();
      oldest.remove();
      overCap++;
    }
    pending.put(subject, new Pending(mid, instance, withMid, now + FIRST_RETRY_NANOS));
    return withMid;
  }

  /**
   * The client acked {@code mid}: it stops being sent. Returns its subject, or null when nothing
   * outstanding had that id (a duplicate ack, or one for a message replaced since).
   */
  String ack(String client, long mid) {
    LinkedHashMap<String, Pending> pending = byClient.get(client);
    if (pending == null) {
      return null;
    }
    String subject = null;
    for (Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Pending> entry = it.next();
      if (entry.getValue().mid == mid) {
        subject = entry.getKey();
        it.remove();
        acked++;
        break;
      }
    }
    if (pending.isEmpty()) {
      byClient.remove(client);
    }
    return subject;
  }

  /** The client left, or registered anew: nothing outstanding for it matters any more. */
  void forget(String client) {
    byClient.remove(client);
  }

  /**
   * The messages due at {@code now}, each moved to its next deadline (doubled, to the cap); those
   * sent {@link #MAX_TRIES} times are given up. {@code current} says which instance of a client is
   * registered now (null: none): a message for another one is moot and forgotten.
   */
  List<Due> due(long now, Function<String, String> current) {
    List<Due> out = new ArrayList<>();
    Iterator<Map.Entry<String, LinkedHashMap<String, Pending>>> clients = byClient.entrySet().iterator();
    while (clients.hasNext()) {
      Map.Entry<String, LinkedHashMap<String, Pending>> entry = clients.next();
      Iterator<Pending> it = entry.getValue().values().iterator();
      while (it.hasNext()) {
        Pending p = it.next();
        if (now - p.nextAt < 0) {
          continue;
        }
        if (!p.instance.equals(current.apply(entry.getKey()))) {
          it.remove();
        } else if (p.tries >= MAX_TRIES) {
          it.remove();
          gaveUp++;
        } else {
          p.tries++;
          p.interval = Math.min(p.interval * 2, MAX_RETRY_NANOS);
          p.nextAt = now + p.interval;
          retransmitted++;
          out.add(new Due(entry.getKey(), p.message));
        }
      }
      if (entry.getValue().isEmpty()) {
        clients.remove();
      }
    }
    return out;
  }

  /** The earliest deadline, or {@link Long#MAX_VALUE} when nothing is outstanding. */
  long nextDeadline() {
    long next = Long.MAX_VALUE;
    boolean any = false;
    for (LinkedHashMap<String, Pending> pending : byClient.values()) {
      for (Pending p : pending.values()) {
        if (!any || p.nextAt - next < 0) {
          next = p.nextAt;
          any = true;
        }
      }
    }
    return next;
  }

  /** Messages outstanding for {@code client}. */
  int outstanding(String client) {
    LinkedHashMap<String, Pending> pending = byClient.get(client);
    return pending == null ? 0 : pending.size();
  }

  /** Counters for the rendezvous's stats. */
  JsonObject toJson() {
    int outstanding = byClient.values().stream().mapToInt(Map::size).sum();
    return new JsonObject().put("outstanding", outstanding).put("retransmitted", retransmitted)
      .put("acked", acked).put("gaveUp", gaveUp).put("overCap", overCap);
  }
}
