package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.RoomDigest;
import io.p2pchat.wire.StreamEndpoint;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the rendezvous tells clients about the other members of their room: introductions (both
 * peers at once, so they punch simultaneously) and departures. The one owner of "what we told
 * whom": each {@code introduce} and {@code gone} to a client of ours is sent through {@link Retransmits}
 * (a message id, an {@code ack}, sent again with back-off until acked or moot), and the last
 * introduction of each pair and the departures not yet acked are remembered per client, so that a
 * keep-alive whose {@link io.p2pchat.wire.RoomDigest view} differs from the room can be repaired by
 * sending them again (the client ignores what it has already). A client of another instance of the
 * cluster is told through that instance, which does the same for it.
 */
final class Introductions {

  /** Bytes of random secret per introduction: the key of the peers' probe MACs (256 bits, as HMAC-SHA256's). */
  private static final int SECRET_SIZE = 32;
  /**
   * Departures remembered per client until it acks them, for repairs: one per nick that left its room,
   * bounded so that a client that never acks cannot make us keep more (the oldest is forgotten; a
   * client that missed it keeps a dead peer until its own punch to it fails).
   */
  static final int MAX_DEPARTURES_REMEMBERED = 64;
  /**
   * After a repair, the next one for the same client waits at least this, doubling while its view
   * still differs: a difference the server cannot fix (a peer the client holds that the server never
   * knew) then costs a room's introductions a few times, not at every keep-alive. Two default
   * keep-alive intervals (4.5 s), so a repair's own retransmissions have settled before the next look.
   */
  static final long FIRST_REPAIR_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(9);
  /** The repair back-off's cap: a stubborn difference is looked at again every five minutes. */
  static final long MAX_REPAIR_BACKOFF_NANOS = TimeUnit.MINUTES.toNanos(5);

  /** Arms the verticle's retransmission timer. */
  interface Scheduler {
    /** Call {@link #retransmit} at {@code deadlineNanos} (or earlier); {@link Long#MAX_VALUE}: nothing due. */
    void wakeAt(long deadlineNanos);
  }

  private final Registry registry;
  private final RendezvousDirectory directory;
  private final Outbox outbox;
  private final NodeLog log;
  private final Retransmits retransmits;
  private final Scheduler scheduler;
  private final SecureRandom random = new SecureRandom();
  private final PairPacing pacing = new PairPacing();
  /** Introductions sent (pairs), for the metrics. */
  private long introductionsSent;
  /** Client nick → peer nick → the introduction (without message id) it was last sent about that peer. */
  private final Map<String, Map<String, JsonObject>> introduced = new HashMap<>();
  /** Client nick → departed peer nick → the {@code gone} it was sent and has not acked, oldest first. */
  private final Map<String, LinkedHashMap<String, JsonObject>> departures = new HashMap<>();
  /** Client nick → {next repair allowed at, current back-off}, while its view differs. */
  private final Map<String, long[]> repairBackOff = new HashMap<>();

  Introductions(Registry registry, RendezvousDirectory directory, Outbox outbox, Retransmits retransmits,
                Scheduler scheduler, NodeLog log) {
    this.registry = registry;
    this.directory = directory;
    this.outbox = outbox;
    this.retransmits = retransmits;
    this.scheduler = scheduler;
    this.log = log;
  }

  /**
   * A client registered anew (a new process, or a first registration): what an earlier process of
   * the nick was told, or still owed, is moot.
   */
  void registeredAnew(Registration r) {
    retransmits.forget(r.nick);
    introduced.remove(r.nick);
    departures.remove(r.nick);
    repairBackOff.remove(r.nick);
  }

  /** Introduces {@code r} and every other member of its room to each other, on behalf of {@code ex} (or null). */
  void introduceToRoom(Exchange ex, Registration r) {
    for (Registration peer : registry.room(r.room)) {
      if (peer != r) {
        introduce(ex, r, peer);
      }
    }
  }

  /**
   * Tells both peers about each other at the same moment, with a fresh id and probe secret, on
   * behalf of {@code ex} (null for the cluster's news).
   */
  void introduce(Exchange ex, Registration a, Registration b) {
    if (a.orphaned() || b.orphaned()) {
      // One of them is a client of a departed instance: it hears nothing until it registers again
      // (with another instance), and then both are introduced anew.
      log.info("not introducing {} and {}: {}'s instance left the cluster", a.nick, b.nick, a.orphaned() ? a.nick : b.nick);
      if (ex != null) {
        ex.handled();
      }
      return;
    }
    if (!pacing.tryIntroduce(a.nick, b.nick, System.nanoTime())) {
      // Introduced too often lately (re-registrations, connect retries): it goes out when the pair's budget allows.
      log.debug("introduction of {} and {} deferred", a.nick, b.nick);
      if (ex != null) {
        ex.handled();
      }
      scheduler.wakeAt(nextDeadline());
      return;
    }
    byte[] secret = new byte[SECRET_SIZE];
    random.nextBytes(secret);
    String introId = Long.toHexString(random.nextLong());
    String secretText = Base64.getEncoder().encodeToString(secret);
    // Both are registered (validated) addresses: no amplification budget applies.
    // A client over TLS has no UDP address to punch: both sides go to the relay at once.
    boolean relayFirst = StreamEndpoint.is(a.address) || StreamEndpoint.is(b.address);
    tell(ex, a, introduction(introId, secretText, b, relayFirst));
    tell(ex, b, introduction(introId, secretText, a, relayFirst));
    introductionsSent++;
    log.info("introduced {} ({}) and {} ({})", a.nick, a.address, b.nick, b.address);
  }

  /**
   * Tells our own clients of the room of {@code gone} that it left; each instance of a cluster tells
   * its own. On behalf of {@code ex}, or null for expiry and the cluster's news.
   */
  void announceGone(Exchange ex, Registration gone) {
    if (gone.isLocal()) {
      registeredAnew(gone);
    }
    for (Registration peer : registry.room(gone.room)) {
      if (peer.isLocal() && peer != gone) {
        tellLocal(ex, peer, Control.of(ControlType.GONE).put(Control.NICK, gone.nick).put(Control.INSTANCE, gone.instance));
      }
    }
  }

  /**
   * A control message to a client of ours, or through the instance it is registered with (which
   * sends it with {@link #tellLocal}).
   */
  private void tell(Exchange ex, Registration to, JsonObject msg) {
    if (to.isLocal()) {
      tellLocal(ex, to, msg);
    } else {
      directory.deliver(to.owner(), to.nick, msg);
    }
  }

  /**
   * Sends a control message to our client {@code to}; an {@code introduce} or {@code gone} is sent
   * reliably (message id, until acked or moot) and remembered for repairs.
   */
  void tellLocal(Exchange ex, Registration to, JsonObject msg) {
    ControlType type = Control.type(msg);
    String subject = subject(msg);
    if (subject == null) {
      outbox.tell(ex, to.address, msg);
      return;
    }
    if (type == ControlType.INTRODUCE) {
      introduced.computeIfAbsent(to.nick, n -> new HashMap<>()).put(subject, msg);
      LinkedHashMap<String, JsonObject> left = departures.get(to.nick);
      if (left != null) {
        left.remove(subject);
      }
    } else {
      Map<String, JsonObject> known = introduced.get(to.nick);
      if (known != null) {
        known.remove(subject);
      }
      LinkedHashMap<String, JsonObject> left = departures.computeIfAbsent(to.nick, n -> new LinkedHashMap<>());
      left.remove(subject);
      if (left.size() >= MAX_DEPARTURES_REMEMBERED) {
        Iterator<String> oldest = left.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      left.put(subject, msg);
    }
    sendReliably(ex, to, subject, msg);
  }

  private void sendReliably(Exchange ex, Registration to, String subject, JsonObject msg) {
    long now = System.nanoTime();
    outbox.tell(ex, to.address, retransmits.send(to.nick, to.instance, subject, msg, now));
    scheduler.wakeAt(nextDeadline());
  }

  /** The peer an {@code introduce} or {@code gone} is about, or null for any other message. */
  private static String subject(JsonObject msg) {
    ControlType type = Control.type(msg);
    if (type == ControlType.INTRODUCE) {
      JsonObject peer = msg.getJsonObject(Control.PEER);
      return peer == null ? null : peer.getString(Control.NICK);
    }
    return type == ControlType.GONE ? msg.getString(Control.NICK) : null;
  }

  /** Our client {@code client} acked message {@code mid}: a departure it acked needs no repair. */
  void acked(Registration client, long mid) {
    String subject = retransmits.ack(client.nick, mid);
    LinkedHashMap<String, JsonObject> left = departures.get(client.nick);
    if (subject != null && left != null && left.remove(subject) != null && left.isEmpty()) {
      departures.remove(client.nick);
    }
  }

  /** Sends again what is due at {@code now}, and the deferred introductions now due, and re-arms the timer. */
  void retransmit(long now) {
    for (Retransmits.Due due : retransmits.due(now, this::currentInstance)) {
      Registration to = registry.byNick(due.client());
      outbox.tell(null, to.address, due.message());
    }
    for (PairPacing.Deferred d : pacing.due(now)) {
      Registration a = registry.byNick(d.a());
      Registration b = registry.byNick(d.b());
      if (a != null && b != null && a.room.equals(b.room) && (a.isLocal() || b.isLocal())) {
        introduce(null, a, b);
      }
    }
    scheduler.wakeAt(nextDeadline());
  }

  /** The earliest of the retransmissions' and the deferred introductions' deadlines. */
  private long nextDeadline() {
    return Math.min(retransmits.nextDeadline(), pacing.nextDeadline());
  }

  private String currentInstance(String nick) {
    Registration r = registry.byNick(nick);
    return r == null || !r.isLocal() ? null : r.instance;
  }

  /**
   * A keep-alive of {@code client} carried {@code view}: when it differs from the room's membership
   * (and nothing is still on its way to the client, which would explain it), sends again the last
   * introduction of every member and every departure not acked, and introduces members never
   * introduced; not again for that client before its back-off passed ({@link #FIRST_REPAIR_BACKOFF_NANOS},
   * doubling while the view still differs). Returns whether it repaired.
   */
  boolean repair(Exchange ex, Registration client, String view) {
    RoomDigest room = new RoomDigest();
    for (Registration peer : registry.room(client.room)) {
      if (peer != client) {
        room.add(peer.nick, peer.instance);
      }
    }
    if (room.text().equals(view)) {
      repairBackOff.remove(client.nick);
      return false;
    }
    long now = System.nanoTime();
    long[] backOff = repairBackOff.get(client.nick);
    if (retransmits.outstanding(client.nick) > 0 || (backOff != null && now - backOff[0] < 0)) {
      return false;
    }
    long interval = backOff == null ? FIRST_REPAIR_BACKOFF_NANOS : Math.min(2 * backOff[1], MAX_REPAIR_BACKOFF_NANOS);
    repairBackOff.put(client.nick, new long[] {now + interval, interval});
    log.info("{}'s view of room {} differs: repairing", client.nick, client.shortRoom());
    Map<String, JsonObject> known = introduced.getOrDefault(client.nick, Map.of());
    for (Registration peer : registry.room(client.room)) {
      if (peer == client) {
        continue;
      }
      JsonObject intro = known.get(peer.nick);
      if (intro != null) {
        sendReliably(ex, client, peer.nick, intro);
      } else {
        introduce(ex, client, peer);
      }
    }
    for (Map.Entry<String, JsonObject> gone : departures.getOrDefault(client.nick, new LinkedHashMap<>()).entrySet()) {
      sendReliably(ex, client, gone.getKey(), gone.getValue());
    }
    return true;
  }

  /** Pairs introduced to each other since start (each pair once per introduction, both told). */
  long introductionsSent() {
    return introductionsSent;
  }

  /** The retransmission counters, for the rendezvous's stats. */
  JsonObject stats() {
    return retransmits.toJson().put("introductionsDeferred", pacing.deferrals())
      .put("introductionsCoalesced", pacing.coalesced());
  }

  private static JsonObject introduction(String introId, String secret, Registration peer, boolean relayFirst) {
    JsonObject intro = Control.of(ControlType.INTRODUCE);
    if (relayFirst) {
      intro.put(Control.RELAY_FIRST, true);
    }
    JsonObject about = new JsonObject()
      .put(Control.NICK, peer.nick)
      .put(Control.KEY, Control.base64(peer.key))
      .put(Control.INSTANCE, peer.instance)
      .put(Control.RELAY_ID, peer.relayId)
      .put(Control.PUBLIC, peer.address.toString())
      .put(Control.LOCAL, Control.toJson(peer.local));
    if (peer.alt() != null) {
      about.put(Control.ALT, peer.alt().toString()); // validated: the peer received its cookie there
    }
    if (peer.portmap() != null) {
      about.put(Control.PORTMAP, peer.portmap().toString()); // on the peer's registered host
    }
    return intro
      .put(Control.INTRO_ID, introId)
      .put(Control.SECRET, secret)
      .put(Control.PEER, about);
  }
}
