package io.p2pchat.rendezvous.mailbox;

import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.flakeidgen.FlakeIdGenerator;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The mailbox of a clustered rendezvous (docs/PROTOCOL.md "Mailbox", "In a cluster"): every deposit is
 * fsynced into the {@link MailboxStore} of the instance it was made at (its <i>origin</i>) and put into the
 * Hazelcast map {@value #MESSAGES_MAP}, whose one synchronous backup means the put returns only once a second
 * instance holds it in memory; only then is it acknowledged. So the death of any one instance loses nothing
 * acknowledged: the map's backups are promoted, and the origin's disk keeps what a full restart reloads.
 *
 * <p>A recipient picks up from whichever instance it registers with (a query on its key), and a deposit for a
 * recipient registered elsewhere reaches it promptly: every deposit is announced on {@value #ARRIVED_ADDRESS}
 * and each instance hands the recipient's key to its {@link #arrivalHandler}. An acknowledged message becomes a
 * tombstone in the map until its origin has deleted it from disk (asked over the event bus at
 * {@code p2pchat.rendezvous.mailbox.origin.<id>}); an origin that was down meanwhile finds the tombstones when
 * it starts ({@link MailboxReload}), so a delivered message never comes back.
 *
 * <p>The bounds are those of each instance's {@link MailboxStore}: counted per origin (a depositor deposits at
 * the instance it is registered with). Hazelcast's calls block: they run on Vert.x worker threads, and every
 * Future completes on the context {@link #open} was called on.
 */
public final class ClusteredMailbox implements Mailbox {
  /** The rendezvous's logger: every line carries its name (MDC), so it lands in its log file. */
  private final NodeLog log;

  /** The deposits held by the cluster (conf/cluster.xml gives it its backup). */
  public static final String MESSAGES_MAP = "p2pchat.rendezvous.mailbox";
  /** The expiry notices held by the cluster. */
  public static final String NOTICES_MAP = "p2pchat.rendezvous.mailbox.notices";
  /** Cluster-wide sequence numbers, increasing with time (conf/cluster.xml: no prefetching, so no old batch). */
  static final String SEQ_GENERATOR = "p2pchat.rendezvous.mailbox.seq";
  /** Each recipient's last sequence number, and the lock under which the next one is given and put. */
  static final String HEADS_MAP = "p2pchat.rendezvous.mailbox.heads";
  /**
   * A recipient's lock is released by then even if its holder hangs (one that dies releases it at once):
   * far above a put's few milliseconds, below a client's retry of the deposit.
   */
  static final long LOCK_LEASE_MILLIS = 10_000;
  /** Published on every deposit: the recipient's key, for the instance the recipient is registered with. */
  public static final String ARRIVED_ADDRESS = "p2pchat.rendezvous.mailbox.arrived";
  /** Published when expiry notices were made: the depositor's key, for the instance it is registered with. */
  public static final String NOTICED_ADDRESS = "p2pchat.rendezvous.mailbox.noticed";
  /** In the two announcements: the key (hex), and the origin that announced it (which has told its own). */
  private static final String KEY = "key";
  private static final String FROM = "from";
  private static final String ORIGIN_PREFIX = "p2pchat.rendezvous.mailbox.origin.";
  /** Beside the mailbox file: this disk's id as an origin, kept across restarts. */
  static final String ORIGIN_SUFFIX = ".origin";
  /**
   * A map entry outlives its time to live by this much before the map drops it by itself: the origin's
   * expiry (which tells the depositor) comes first whenever the origin is up; the map's own TTL only clears
   * the entries of an origin that is gone for good, and the tombstones of acknowledgements no origin took.
   */
  static final long ORPHAN_GRACE_MILLIS = TimeUnit.DAYS.toMillis(1);
  private static final long MILLIS_PER_SECOND = 1000L;
  static final String KIND = "kind";
  static final String MESSAGE = "message";
  static final String NOTICE = "notice";

  private final Context context;
  private final Vertx vertx;
  private final MailboxStore local;
  private final MailboxOptions options;
  private final String origin;
  private final HazelcastInstance hazelcast;
  private final IMap<MailKey, ClusterMessage> messages;
  private final IMap<String, ClusterNotice> notices;
  private final IMap<String, Long> heads;
  private final FlakeIdGenerator ids;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private Handler<MailboxKey> arrivals;
  private Handler<MailboxKey> notified;
  private long deposited;
  private long duplicates;
  private long forgotten;
  private long reloaded;

  private ClusteredMailbox(Vertx vertx, Context context, MailboxStore local, MailboxOptions options, String origin,
      HazelcastInstance hazelcast, NodeLog log) {
    this.log = log;
    this.vertx = vertx;
    this.context = context;
    this.local = local;
    this.options = new MailboxOptions(options);
    this.origin = origin;
    this.hazelcast = hazelcast;
    this.messages = hazelcast.getMap(MESSAGES_MAP);
    this.notices = hazelcast.getMap(NOTICES_MAP);
    this.heads = hazelcast.getMap(HEADS_MAP);
    this.ids = hazelcast.getFlakeIdGenerator(SEQ_GENERATOR);
  }

  /**
   * Opens this instance's store in {@code dataDir}, joins the cluster's mailbox and offers it what the store
   * holds (reloading after a restart, deleting what was delivered meanwhile); completes when that is done.
   * {@code vertx} must be clustered over Hazelcast.
   */
  public static Future<ClusteredMailbox> open(Vertx vertx, Path dataDir, MailboxOptions options) {
    return open(vertx, dataDir, options, NodeLog.unstamped(ClusteredMailbox.class));
  }

  /** {@link #open(Vertx, Path, MailboxOptions)}, logging to {@code log} (the rendezvous's, stamped with its name). */
  public static Future<ClusteredMailbox> open(Vertx vertx, Path dataDir, MailboxOptions options, NodeLog log) {
    if (!(((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager manager)) {
      return Future.failedFuture(new IllegalStateException("a clustered mailbox needs Vert.x clustered over Hazelcast"));
    }
    Context context = vertx.getOrCreateContext();
    // On a worker: the origin file, and the maps' proxies (made cluster-wide, with their indexes, on first use).
    return MailboxStore.open(vertx, dataDir, options, log).compose(local -> context.executeBlocking(
        () -> new ClusteredMailbox(vertx, context, local, options,
            originOf(dataDir.resolve(options.getFile() + ORIGIN_SUFFIX)), manager.getHazelcastInstance(), log), false)
      .compose(ClusteredMailbox::start)
      .recover(e -> local.close().transform(v -> Future.failedFuture(e))));
  }

  /** This disk's origin id: read from {@code file}, or made and written there the first time. BLOCKING. */
  private static String originOf(Path file) throws java.io.IOException {
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    String id = UUID.randomUUID().toString();
    Files.writeString(file, id + "\n");
    return id;
  }

  private Future<ClusteredMailbox> start() {
    MessageConsumer<JsonObject> arrived = vertx.eventBus().consumer(ARRIVED_ADDRESS, msg -> heard(msg.body(), arrivals));
    MessageConsumer<JsonObject> noticed = vertx.eventBus().consumer(NOTICED_ADDRESS, msg -> heard(msg.body(), notified));
    MessageConsumer<JsonObject> forget = vertx.eventBus().consumer(ORIGIN_PREFIX + origin,
        msg -> forgetHere(msg.body()));
    consumers.add(arrived);
    consumers.add(noticed);
    consumers.add(forget);
    return Future.all(arrived.completion(), noticed.completion(), forget.completion())
      .compose(v -> new MailboxReload(this).run())
      .map(count -> {
        reloaded = count;
        log.info("mailbox cluster: joined as origin {} ({}; {} held here offered to the cluster)",
            origin, Plural.of(hazelcast.getCluster().getMembers().size(), "instance"), count);
        return this;
      });
  }

  /**
   * {@code handler} is given a recipient's key, on this mailbox's context, whenever a deposit for it is made at
   * another instance of the cluster (or reloaded by one): the recipient, if registered here, has mail to pick
   * up. (A deposit made here is known here already: its Future completes.)
   */
  public ClusteredMailbox arrivalHandler(Handler<MailboxKey> handler) {
    this.arrivals = handler;
    return this;
  }

  /**
   * {@code handler} is given a depositor's key, on this mailbox's context, whenever another instance made
   * expiry notices for it: the depositor, if registered here, has notices to pick up.
   */
  public ClusteredMailbox noticeHandler(Handler<MailboxKey> handler) {
    this.notified = handler;
    return this;
  }

  private void heard(JsonObject news, Handler<MailboxKey> handler) {
    if (handler != null && !origin.equals(news.getString(FROM))) {
      handler.handle(ClusterMessage.unhex(news.getString(KEY)));
    }
  }

  private void announce(String address, MailboxKey key) {
    vertx.eventBus().publish(address, new JsonObject().put(KEY, ClusterMessage.hex(key)).put(FROM, origin));
  }

  // ---------------------------------------------------------------- deposits

  @Override
  public Future<Long> deposit(Deposit deposit, long nowMillis) {
    if (!deposit.hasValidId()) {
      return local.deposit(deposit, nowMillis); // refused there, and counted
    }
    MailKey key = MailKey.of(deposit.recipient(), deposit.depositor(), deposit.depositId());
    return blocking(() -> messages.get(key)).compose(held -> {
      if (held != null) {
        duplicates++; // a retry, here or at another instance: the answer is the same
        return Future.succeededFuture(held.getSeq());
      }
      return local.deposit(deposit, nowMillis)
        .compose(localSeq -> blocking(() -> publish(key, deposit, nowMillis, localSeq)))
        .compose(held2 -> accepted(deposit, held2));
    }).recover(ClusteredMailbox::unavailable);
  }

  /** Puts the deposit (stored here as {@code localSeq}) in the map unless the same id got there first. BLOCKING. */
  private Published publish(MailKey key, Deposit deposit, long nowMillis, long localSeq) {
    StoredMessage stored = new StoredMessage(localSeq, deposit.recipient(), deposit.depositor(),
        deposit.depositId(), nowMillis, deposit.envelopeUnsafe());
    return new Published(putInOrder(key, stored, nowMillis).held(), localSeq);
  }

  /**
   * Puts {@code stored} (this origin's copy) under {@code key} unless the key is taken, with the next sequence
   * number of its recipient; returns the entry the map holds now. Numbering and put happen under the
   * recipient's lock, so a recipient's entries become visible in the order of their numbers: a pick-up
   * "after n" never passes over an entry numbered below n that a slower put made visible later. Numbers come
   * from the flake id generator (they grow with time) and never fall below the recipient's last one (two
   * instances' ids of one millisecond are not ordered). BLOCKING.
   */
  Put putInOrder(MailKey key, StoredMessage stored, long nowMillis) {
    String recipient = ClusterMessage.hex(stored.recipient());
    heads.lock(recipient, LOCK_LEASE_MILLIS, TimeUnit.MILLISECONDS);
    try {
      Long last = heads.get(recipient);
      long seq = Math.max(ids.newId(), last == null ? 0 : last + 1);
      long ttl = liveTtl(stored.depositedAtMillis(), nowMillis);
      ClusterMessage entry = ClusterMessage.of(stored, seq, origin);
      ClusterMessage previous = messages.putIfAbsent(key, entry, ttl, TimeUnit.MILLISECONDS);
      if (previous != null) {
        return new Put(previous, false);
      }
      heads.set(recipient, seq, ttl, TimeUnit.MILLISECONDS);
      return new Put(entry, true);
    } finally {
      heads.unlock(recipient);
    }
  }

  /** The entry the map holds under a key, and whether this put made it. */
  record Put(ClusterMessage held, boolean fresh) {
  }

  /** The map's entry for a deposit, and the sequence number of this instance's copy on disk. */
  private record Published(ClusterMessage held, long localSeq) {
  }

  private Future<Long> accepted(Deposit deposit, Published published) {
    ClusterMessage held = published.held();
    if (held.origin().equals(origin) && held.localSeq() == published.localSeq()) {
      deposited++;
      announce(ARRIVED_ADDRESS, deposit.recipient());
      return Future.succeededFuture(held.getSeq());
    }
    // The same id reached the map from another instance first: this copy on disk is a second one.
    duplicates++;
    return local.acknowledge(deposit.recipient(), List.of(published.localSeq())).map(n -> held.getSeq());
  }

  private static <T> Future<T> unavailable(Throwable e) {
    if (e instanceof MailboxRefusedException) {
      return Future.failedFuture(e);
    }
    return Future.failedFuture(new MailboxRefusedException(Refusal.UNAVAILABLE,
        "the mailbox cluster could not hold it: " + e));
  }

  /** How long the map keeps an entry deposited at {@code depositedAt} by itself (see {@link #ORPHAN_GRACE_MILLIS}). */
  long liveTtl(long depositedAt, long nowMillis) {
    return Math.max(1, options.getTtlSeconds() * MILLIS_PER_SECOND - (nowMillis - depositedAt) + ORPHAN_GRACE_MILLIS);
  }

  // ---------------------------------------------------------------- pick-up

  @Override
  public Future<List<StoredMessage>> pickUp(MailboxKey recipient, long afterSeq, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
    }
    Predicate<MailKey, ClusterMessage> query = Predicates.partitionPredicate(ClusterMessage.hex(recipient),
        Predicates.and(Predicates.equal("recipient", ClusterMessage.hex(recipient)),
            Predicates.greaterThan("seq", afterSeq), Predicates.equal("gone", false)));
    return blocking(() -> messages.values(query).stream().sorted(Comparator.comparingLong(ClusterMessage::getSeq))
        .limit(limit).map(ClusterMessage::toStored).toList());
  }

  @Override
  public Future<Integer> acknowledge(MailboxKey recipient, List<Long> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Predicate<MailKey, ClusterMessage> query = Predicates.partitionPredicate(ClusterMessage.hex(recipient),
        Predicates.and(Predicates.equal("recipient", ClusterMessage.hex(recipient)),
            Predicates.in("seq", seqs.toArray(new Long[0])), Predicates.equal("gone", false)));
    return bury(messages, query, tombstoneTtl(), MESSAGE, recipient);
  }

  /**
   * Replaces the live entries of {@code map} that {@code query} finds by their tombstones (kept {@code ttl}
   * ms), and asks each one's origin to delete it from disk. Completes with how many were live.
   */
  private <K, V extends ClusterEntry> Future<Integer> bury(IMap<K, V> map, Predicate<K, V> query, long ttl,
      String kind, MailboxKey owner) {
    return blocking(() -> {
      Map<String, List<ClusterEntry>> byOrigin = new LinkedHashMap<>();
      for (Map.Entry<K, V> e : map.entrySet(query)) {
        @SuppressWarnings("unchecked") // an entry's tombstone is of its own class
        V tombstone = (V) e.getValue().tombstone();
        if (map.replace(e.getKey(), e.getValue(), tombstone)) {
          map.setTtl(e.getKey(), ttl, TimeUnit.MILLISECONDS);
          byOrigin.computeIfAbsent(e.getValue().origin(), o -> new ArrayList<>()).add(e.getValue());
        }
      }
      return byOrigin;
    }).map(byOrigin -> {
      int count = 0;
      for (Map.Entry<String, List<ClusterEntry>> e : byOrigin.entrySet()) {
        askOrigin(e.getKey(), forgetRequest(kind, owner, e.getValue()));
        count += e.getValue().size();
      }
      return count;
    });
  }

  /** A tombstone lasts as long as the message it replaces could have, and then the grace. */
  private long tombstoneTtl() {
    return options.getTtlSeconds() * MILLIS_PER_SECOND + ORPHAN_GRACE_MILLIS;
  }

  // ---------------------------------------------------------------- expiry

  /** How long the map keeps a notice, or its tombstone, by itself. */
  long noticeTtl() {
    return options.getNoticeTtlSeconds() * MILLIS_PER_SECOND + ORPHAN_GRACE_MILLIS;
  }

  @Override
  public Future<List<ExpiryNotice>> expire(long nowMillis) {
    return local.expire(nowMillis).compose(made -> blocking(() -> {
      List<ExpiryNotice> out = new ArrayList<>();
      List<Long> delivered = new ArrayList<>();
      for (ExpiryNotice n : made) {
        ClusterMessage held = messages.remove(MailKey.of(n.recipient(), n.depositor(), n.depositId()));
        if (held != null && held.isGone()) {
          delivered.add(n.noticeSeq()); // acknowledged elsewhere while the news was on its way here: no notice
          continue;
        }
        ClusterNotice notice = ClusterNotice.of(n, ids.newId(), origin);
        notices.put(ClusterNotice.key(origin, n.noticeSeq()), notice, noticeTtl(), TimeUnit.MILLISECONDS);
        out.add(notice.toNotice());
      }
      return new Expired(out, delivered, made);
    })).compose(e -> dropLocalNotices(e).map(v -> {
      e.published().stream().map(ExpiryNotice::depositor).distinct().forEach(d -> announce(NOTICED_ADDRESS, d));
      return e.published();
    }));
  }

  /** What an expiry run published, and the notices of messages that turned out to be delivered. */
  private record Expired(List<ExpiryNotice> published, List<Long> delivered, List<ExpiryNotice> made) {
  }

  private Future<Void> dropLocalNotices(Expired e) {
    List<Future<Integer>> done = new ArrayList<>();
    for (ExpiryNotice n : e.made()) {
      if (e.delivered().contains(n.noticeSeq())) {
        done.add(local.acknowledgeNotices(n.depositor(), List.of(n.noticeSeq())));
      }
    }
    return Future.all(done).mapEmpty();
  }

  /** Always true: this instance's counts do not see what the other instances hold for {@code key}. */
  @Override
  public boolean mayHoldFor(MailboxKey key) {
    return true;
  }

  @Override
  public Future<List<ExpiryNotice>> notices(MailboxKey depositor, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
    }
    Predicate<String, ClusterNotice> query = Predicates.and(
        Predicates.equal("depositor", ClusterMessage.hex(depositor)), Predicates.equal("gone", false));
    return blocking(() -> notices.values(query).stream().sorted(Comparator.comparingLong(ClusterNotice::getNid))
        .limit(limit).map(ClusterNotice::toNotice).toList());
  }

  @Override
  public Future<Integer> acknowledgeNotices(MailboxKey depositor, List<Long> noticeSeqs) {
    if (noticeSeqs.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Predicate<String, ClusterNotice> query = Predicates.and(
        Predicates.equal("depositor", ClusterMessage.hex(depositor)),
        Predicates.in("nid", noticeSeqs.toArray(new Long[0])), Predicates.equal("gone", false));
    return bury(notices, query, noticeTtl(), NOTICE, depositor);
  }

  // ---------------------------------------------------------------- origins

  /**
   * {@code {kind, owner, keys, local}}: delete from the origin's disk the entries {@code local} (sequence
   * numbers in its store) of {@code owner} (the recipient, or the depositor of notices), then drop the
   * tombstones {@code keys}.
   */
  static JsonObject forgetRequest(String kind, MailboxKey owner, List<? extends ClusterEntry> entries) {
    JsonArray keys = new JsonArray();
    JsonArray localSeqs = new JsonArray();
    for (ClusterEntry e : entries) {
      keys.add(e.key());
      localSeqs.add(e.localSeq());
    }
    return new JsonObject().put(KIND, kind).put("owner", ClusterMessage.hex(owner)).put("keys", keys)
      .put("local", localSeqs);
  }

  /** Sends {@code request} to the origin it names; an origin that is down finds the tombstones when it starts. */
  private void askOrigin(String to, JsonObject request) {
    if (to.equals(origin)) {
      forgetHere(request);
    } else {
      vertx.eventBus().send(ORIGIN_PREFIX + to, request);
    }
  }

  /** Deletes entries of this origin from its disk, then their tombstones from the map. */
  Future<Integer> forgetHere(JsonObject request) {
    MailboxKey owner = ClusterMessage.unhex(request.getString("owner"));
    List<Long> localSeqs = new ArrayList<>();
    request.getJsonArray("local").forEach(n -> localSeqs.add(((Number) n).longValue()));
    List<String> keys = new ArrayList<>();
    request.getJsonArray("keys").forEach(k -> keys.add((String) k));
    boolean message = MESSAGE.equals(request.getString(KIND));
    Future<Integer> deleted = message ? local.acknowledge(owner, localSeqs) : local.acknowledgeNotices(owner, localSeqs);
    return deleted.compose(n -> blocking(() -> {
      for (String key : keys) {
        if (message) {
          dropTombstone(messages, MailKey.parse(key));
        } else {
          dropTombstone(notices, key);
        }
      }
      return n;
    })).onSuccess(n -> forgotten += n)
      .onFailure(e -> log.warn("mailbox cluster: could not delete {} here: {}", Plural.of(keys.size(), "delivered entry", "delivered entries"),
        e.toString()));
  }

  private <K, V extends ClusterEntry> void dropTombstone(IMap<K, V> map, K key) {
    V held = map.get(key);
    if (held != null && held.tombstoneOf(origin)) {
      map.remove(key, held);
    }
  }

  // ---------------------------------------------------------------- state

  @Override
  public Future<JsonObject> stats() {
    return local.stats().compose(here -> blocking(() -> here.put("cluster", new JsonObject()
        .put("origin", origin).put("instances", hazelcast.getCluster().getMembers().size())
        .put("entries", messages.size()).put("notices", notices.size()))))
      .map(json -> {
        json.getJsonObject("cluster").put("deposited", deposited).put("duplicates", duplicates)
          .put("forgotten", forgotten).put("reloaded", reloaded);
        return json;
      });
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> done = new ArrayList<>();
    consumers.forEach(c -> done.add(c.unregister()));
    return Future.join(done).transform(v -> local.close());
  }

  // ---------------------------------------------------------------- for MailboxReload

  MailboxStore local() {
    return local;
  }

  String origin() {
    return origin;
  }

  IMap<MailKey, ClusterMessage> messages() {
    return messages;
  }

  IMap<String, ClusterNotice> noticeMap() {
    return notices;
  }

  long newSeq() {
    return ids.newId();
  }

  void announce(Collection<MailboxKey> recipients) {
    recipients.forEach(r -> announce(ARRIVED_ADDRESS, r));
  }

  /** Runs blocking {@code call} (a Hazelcast call) on a worker thread; completes on this mailbox's context. */
  <T> Future<T> blocking(Callable<T> call) {
    return context.executeBlocking(call, false);
  }
}
