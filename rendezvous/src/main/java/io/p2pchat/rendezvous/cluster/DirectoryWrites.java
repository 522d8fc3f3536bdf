package io.p2pchat.rendezvous.cluster;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;

import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Batches this instance's writes to the nick map and its arrival announcements: what the event loop asks for
 * during {@link #FLUSH_AFTER_MS} goes out as one {@link NickWrites} per batch of up to {@link #MAX_BATCH} keys
 * (one invocation per member that owns some of them) and one event-bus message of arrivals. Before, a failover
 * re-registration cost four map round trips (get, replace, put with TTL, then the announcement's put) and one
 * published message per client.
 *
 * <p>States (one batch in flight at a time, so writes of one nick are applied in the order they were asked):
 * <pre>
 * IDLE ──write──▶ WAITING (the flush timer runs) ──timer──▶ IN_FLIGHT ──answered──▶ WAITING or IDLE
 * </pre>
 * A second write of a nick already in the open batch starts the next batch, so each batch holds one write per
 * key. Lives on the directory's context; Hazelcast's answers come back to it.
 *
 * <p>Arrivals have their own timer (the same {@link #FLUSH_AFTER_MS}) and never wait for the map.
 *
 * <p>Bound: a registration at this instance reaches the other instances' views (their look-ups and
 * introductions) {@link #FLUSH_AFTER_MS} after it was admitted, plus one event-bus hop; the map, which joining
 * instances load and {@code recover} reads, has it within the same delay plus the batches queued before it.
 */
final class DirectoryWrites {

  /** The rendezvous's logger: every line carries its name (MDC), so it lands in its log file. */
  private final NodeLog log;

  /**
   * How long writes collect before they go out. A registration's answer waits this long for its claim, and a
   * peer at another instance learns of it this much later: small beside a client's 300 ms retransmission and
   * its 9 s failover bound, and long enough that a burst of re-registrations (hundreds per second) shares a
   * batch.
   */
  static final long FLUSH_AFTER_MS = 10;
  /**
   * Keys per {@link NickWrites}: each member receives the whole batch (about 300 bytes a key, so ~300 KB), which
   * keeps one invocation well inside Hazelcast's comfortable operation size.
   */
  static final int MAX_BATCH = 1000;
  /**
   * Batches queued at most behind the one in flight (100,000 writes, ~30 MB): bounds memory while Hazelcast
   * stalls (a member lost mid-operation, a long pause). Beyond it a claim fails at once (the client is told
   * {@code busy} and retries) and a put or removal is dropped (the owner's refresh writes it again).
   */
  static final int MAX_QUEUED_BATCHES = 100;

  enum State { IDLE, WAITING, IN_FLIGHT }

  /** One batch: at most one write per nick, and the claims awaiting its answer. */
  private static final class Batch {
    final Map<String, NickWrites.Write> writes = new LinkedHashMap<>();
    final Map<String, Promise<Void>> claims = new HashMap<>();
  }

  private final Vertx vertx;
  private final Context context;
  private final IMap<String, String> map;
  private final Supplier<? extends Collection<String>> liveInstances;
  private final long ttlMillis;
  private final ClusterBridge bridge;
  private final ArrayDeque<Batch> queued = new ArrayDeque<>();
  private final List<Member> arrivals = new ArrayList<>();
  private State state = State.IDLE;
  private long flushTimer = -1;
  private long arrivalTimer = -1;

  DirectoryWrites(Vertx vertx, Context context, IMap<String, String> map, Supplier<? extends Collection<String>> liveInstances,
                  long ttlMillis, ClusterBridge bridge, NodeLog log) {
    this.log = log;
    this.vertx = vertx;
    this.context = context;
    this.map = map;
    this.liveInstances = liveInstances;
    this.ttlMillis = ttlMillis;
    this.bridge = bridge;
  }

  /**
   * Binds {@code member.nick} to {@code member} unless another key holds it at a live instance; fails with
   * {@link RendezvousDirectory.NickTakenException} then.
   */
  Future<Void> claim(Member member) {
    if (full()) {
      return Future.failedFuture(new IllegalStateException("directory writes backed up"));
    }
    Batch batch = open(member.nick());
    Promise<Void> claimed = Promise.promise();
    batch.writes.put(member.nick(), new NickWrites.Write(NickWrites.Kind.CLAIM, member.encode()));
    batch.claims.put(member.nick(), claimed);
    return claimed.future();
  }

  /** Writes {@code member} (its TTL starts again); {@code announce}: and tells the other instances it arrived. */
  void put(Member member, boolean announce) {
    if (!full()) {
      open(member.nick()).writes.put(member.nick(), new NickWrites.Write(NickWrites.Kind.PUT, member.encode()));
    }
    if (announce) {
      arrivals.add(member);
      if (arrivalTimer == -1) {
        // Timer "arrivals": publishes the arrivals of FLUSH_AFTER_MS in one message. Not tied to the map's
        // batches: a slow map round trip must not hold back what the other instances' views need (a client that
        // moved on meanwhile would be taken back by a late announcement of where it was).
        arrivalTimer = vertx.setTimer(FLUSH_AFTER_MS, t -> {
          arrivalTimer = -1;
          bridge.arrivals(new ArrayList<>(arrivals));
          arrivals.clear();
        });
      }
    }
  }

  /** Removes {@code member}'s entry if it is still exactly this record. */
  void remove(Member member) {
    if (full()) {
      return;
    }
    open(member.nick()).writes.put(member.nick(), new NickWrites.Write(NickWrites.Kind.REMOVE, member.encode()));
  }

  private boolean full() {
    return queued.size() >= MAX_QUEUED_BATCHES && queued.peekLast().writes.size() >= MAX_BATCH;
  }

  State state() {
    return state;
  }

  /** The batch a write of {@code nick} joins: the last one not yet sent, unless it already writes that nick. */
  private Batch open(String nick) {
    Batch last = queued.peekLast();
    if (last == null || last.writes.containsKey(nick) || last.writes.size() >= MAX_BATCH) {
      last = new Batch();
      queued.addLast(last);
    }
    if (state == State.IDLE) {
      arm();
    }
    return last;
  }

  private void arm() {
    state = State.WAITING;
    // Timer "directory flush": lets a burst of writes share one batch (FLUSH_AFTER_MS).
    flushTimer = vertx.setTimer(FLUSH_AFTER_MS, t -> {
      flushTimer = -1;
      flush();
    });
  }

  private void flush() {
    Batch batch = queued.pollFirst();
    if (batch == null) {
      state = State.IDLE;
      return;
    }
    state = State.IN_FLIGHT;
    NickWrites writes = new NickWrites(batch.writes, new HashSet<>(liveInstances.get()), ttlMillis);
    map.submitToKeys(batch.writes.keySet(), writes)
      .whenComplete((held, failure) -> context.runOnContext(v -> answered(batch, held, failure)));
  }

  private void answered(Batch batch, Map<String, String> held, Throwable failure) {
    if (failure != null) {
      log.warn("rendezvous cluster: a batch of {} failed: {}", Plural.of(batch.writes.size(), "directory write"),
        failure.toString());
    }
    batch.claims.forEach((nick, claimed) -> {
      if (failure != null) {
        claimed.fail(failure);
        return;
      }
      String holder = held == null ? null : held.get(nick);
      if (holder == null) {
        claimed.complete();
      } else {
        Member by = Member.decode(holder);
        claimed.fail(new RendezvousDirectory.NickTakenException("nick " + nick
          + " is registered by another key at instance " + ClusteredDirectory.shortId(by.owner())));
      }
    });
    if (queued.isEmpty()) {
      state = State.IDLE;
    } else {
      arm();
    }
  }

  /** Stops the flush timer; writes not yet sent are dropped (the TTL and the other instances' views cover them). */
  void close() {
    if (flushTimer != -1) {
      vertx.cancelTimer(flushTimer);
    }
    if (arrivalTimer != -1) {
      vertx.cancelTimer(arrivalTimer);
    }
  }
}
