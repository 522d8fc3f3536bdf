package io.p2pchat.rendezvous;

import io.p2pchat.wire.Endpoint;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who is registered: by nick, by address, by relay id and by room (sorted by nick, the order of
 * the plain-text {@code list}). Pure state: the caller passes the time, nothing here blocks.
 */
final class Registry {

  /** What a registration did, so the server knows whom to tell. */
  enum Outcome {
    /** A nick not registered before. */
    NEW,
    /** The same install from a new address or a new process: its peers must be introduced again. */
    MOVED,
    /** The same install, address and process again. */
    REFRESHED
  }

  private final Map<String, Registration> byNick = new HashMap<>();
  private final Map<Endpoint, Registration> byAddress = new HashMap<>();
  private final Map<Long, Registration> byRelayId = new HashMap<>();
  private final Map<String, TreeMap<String, Registration>> byRoom = new HashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final int maxClients;
  private final long relayBytesPerSecond;

  Registry(int maxClients, long relayBytesPerSecond) {
    this.maxClients = maxClients;
    this.relayBytesPerSecond = relayBytesPerSecond;
  }

  Outcome register(String nick, String room, String token, String instance, Endpoint address,
                   List<Endpoint> local, long nowNanos) throws RegistryException {
    Registration existing = byNick.get(nick);
    if (existing != null && !sameToken(existing.token, token)) {
      throw new RegistryException("nick-taken", "nick " + nick + " is registered by another node");
    }
    Registration atAddress = byAddress.get(address);
    if (atAddress != null && atAddress != existing) {
      // One address, one registration: a client that re-registers under a new nick replaces its old one.
      remove(atAddress);
    }
    if (existing != null && existing.room.equals(room)) {
      boolean moved = !existing.address.equals(address) || !existing.instance.equals(instance);
      byAddress.remove(existing.address);
      existing.address = address;
      existing.instance = instance;
      existing.local = local;
      existing.lastSeenNanos = nowNanos;
      byAddress.put(address, existing);
      return moved ? Outcome.MOVED : Outcome.REFRESHED;
    }
    if (existing != null) {
      remove(existing);
    }
    if (byNick.size() >= maxClients) {
      throw new RegistryException("server-full", "the rendezvous holds its maximum of " + maxClients + " clients");
    }
    long relayId;
    do {
      relayId = random.nextLong();
    } while (relayId == 0 || byRelayId.containsKey(relayId));
    Registration r = new Registration(nick, room, token, instance, address, local, relayId, nowNanos,
      new RelayBudget(relayBytesPerSecond, nowNanos));
    byNick.put(nick, r);
    byAddress.put(address, r);
    byRelayId.put(relayId, r);
    byRoom.computeIfAbsent(room, k -> new TreeMap<>()).put(nick, r);
    return Outcome.NEW;
  }

  Registration byNick(String nick) {
    return byNick.get(nick);
  }

  Registration byAddress(Endpoint address) {
    return byAddress.get(address);
  }

  Registration byRelayId(long relayId) {
    return byRelayId.get(relayId);
  }

  /** The room's registrations sorted by nick. */
  List<Registration> room(String room) {
    TreeMap<String, Registration> members = byRoom.get(room);
    return members == null ? List.of() : new ArrayList<>(members.values());
  }

  int size() {
    return byNick.size();
  }

  void remove(Registration r) {
    byNick.remove(r.nick, r);
    byAddress.remove(r.address, r);
    byRelayId.remove(r.relayId, r);
    TreeMap<String, Registration> members = byRoom.get(r.room);
    if (members != null) {
      members.remove(r.nick, r);
      if (members.isEmpty()) {
        byRoom.remove(r.room);
      }
    }
  }

  /** Removes and returns every registration silent for longer than {@code ttlNanos}. */
  List<Registration> expire(long nowNanos, long ttlNanos) {
    List<Registration> expired = new ArrayList<>();
    for (Registration r : byNick.values()) {
      if (nowNanos - r.lastSeenNanos > ttlNanos) {
        expired.add(r);
      }
    }
    expired.forEach(this::remove);
    return expired;
  }

  private static boolean sameToken(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
