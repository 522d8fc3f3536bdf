package io.p2pchat.rendezvous;

import io.netty.util.collection.LongObjectHashMap;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StreamEndpoint;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is registered: by nick, by address, by relay id and by room (sorted by nick, the order of
 * the plain-text {@code list}). Pure state: the caller passes the time, nothing here blocks.
 */
final class Registry {

  /** What a registration did, so the server knows whom to tell. */
  enum Outcome {
    /** A nick not registered before. */
    NEW,
    /** The same key from a new address or a new process: its peers must be introduced again. */
    MOVED,
    /** The same key, address and process again. */
    REFRESHED
  }

  private final Map<String, Registration> byNick = new HashMap<>();
  private final Map<Endpoint, Registration> byAddress = new HashMap<>();
  /** A primitive map: no boxed Long and no node per registration (Netty's, already on the classpath). */
  private final LongObjectHashMap<Registration> byRelayId = new LongObjectHashMap<>();
  private final RoomIndex byRoom = new RoomIndex();
  /**
   * Registrations per source ip (an IPv6 source's /64: {@link Endpoint#networkKey}): a single host with 64k ports
   * cannot fill the server. Keyed by number in a primitive map: no String and no node per host.
   */
  private final LongObjectHashMap<int[]> perHost = new LongObjectHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final int maxClients;
  private final int maxClientsPerHost;

  Registry(int maxClients, int maxClientsPerHost) {
    this.maxClients = maxClients;
    this.maxClientsPerHost = maxClientsPerHost;
  }

  /**
   * Registers a request whose cookie and signature the caller has verified. A nick is bound to the
   * key that registered it: another key gets {@code nick-taken} until the holder leaves or expires.
   */
  Outcome register(RegisterRequest request, Endpoint address, long nowNanos) throws RegistryException {
    String nick = request.nick();
    String room = byRoom.canonical(request.room());
    Registration existing = byNick.get(nick);
    if (existing != null && !MessageDigest.isEqual(existing.key, request.key())) {
      throw new RegistryException("nick-taken", "nick " + nick + " is registered by another key");
    }
    Registration atAddress = byAddress.get(address);
    if (atAddress != null && atAddress != existing) {
      // One address, one registration: a client that re-registers under a new nick replaces its old one.
      remove(atAddress);
    }
    if (existing != null && existing.room.equals(room)) {
      // Held for another instance of the cluster by this same key: the client moved here (failover).
      boolean moved = !existing.isLocal() || !existing.address.equals(address)
        || !existing.instance.equals(request.instance());
      if (!sameHost(existing.address, address) && hostCount(address) >= maxClientsPerHost) {
        throw hostFull(address); // before anything changes: a refused move leaves the registration as it was
      }
      existing.owner(null);
      existing.orphaned(false);
      unindexAddress(existing);
      if (!existing.instance.equals(request.instance())
        || (existing.alt() != null && existing.alt().isIpv6() == address.isIpv6())) {
        existing.alt(null); // a new process validates its own; an alt of the family it now registers over is moot
      }
      if (moved) {
        existing.portmap(null); // a mapping of the old address's gateway; the client tells its new one again
      }
      existing.address = address;
      existing.instance = request.instance();
      existing.local = request.local();
      existing.lastSeenNanos = nowNanos;
      indexAddress(existing);
      return moved ? Outcome.MOVED : Outcome.REFRESHED;
    }
    if (existing != null) {
      remove(existing);
    }
    if (byNick.size() >= maxClients) {
      throw new RegistryException("server-full", "the rendezvous holds its maximum of " + maxClients + " clients");
    }
    if (hostCount(address) >= maxClientsPerHost) {
      throw hostFull(address);
    }
    long relayId;
    do {
      relayId = random.nextLong();
    } while (relayId == 0 || byRelayId.containsKey(relayId));
    Registration r = new Registration(request, room, address, relayId, nowNanos);
    byNick.put(nick, r);
    indexAddress(r);
    byRelayId.put(relayId, r);
    byRoom.add(r);
    return Outcome.NEW;
  }

  /**
   * A client of another instance (see {@link Registration#owner}): listed, introduced and relayed to,
   * but never found by address, which only our own clients' datagrams are looked up by. Replaces
   * any entry of the nick; the caller has checked that an entry of ours with that nick may go.
   */
  void putRemote(Registration r) {
    Registration existing = byNick.get(r.nick);
    if (existing != null) {
      remove(existing);
    }
    Registration sameRelayId = byRelayId.get(r.relayId);
    if (sameRelayId != null) {
      remove(sameRelayId);
    }
    byNick.put(r.nick, r);
    byRelayId.put(r.relayId, r);
    byRoom.add(r);
  }

  /** The clients of another instance, by its cluster node id. */
  List<Registration> ownedBy(String owner) {
    List<Registration> out = new ArrayList<>();
    for (Registration r : byNick.values()) {
      if (owner.equals(r.owner())) {
        out.add(r);
      }
    }
    return out;
  }

  /** Our own clients (not those of other instances). */
  List<Registration> local() {
    List<Registration> out = new ArrayList<>();
    for (Registration r : byNick.values()) {
      if (r.isLocal()) {
        out.add(r);
      }
    }
    return out;
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
    return byRoom.members(room);
  }

  /** {@code room} as the registry already holds it (one String per room), else {@code room}. */
  String canonicalRoom(String room) {
    return byRoom.canonical(room);
  }

  int size() {
    return byNick.size();
  }

  void remove(Registration r) {
    if (!byNick.remove(r.nick, r)) {
      return;
    }
    unindexAddress(r);
    if (byRelayId.get(r.relayId) == r) {
      byRelayId.remove(r.relayId);
    }
    byRoom.remove(r);
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

  private void indexAddress(Registration r) {
    byAddress.put(r.address, r);
    if (!StreamEndpoint.is(r.address)) {
      long host = r.address.networkKey();
      int[] count = perHost.get(host);
      if (count == null) {
        perHost.put(host, new int[] {1});
      } else {
        count[0]++;
      }
    }
  }

  private void unindexAddress(Registration r) {
    if (byAddress.remove(r.address, r) && !StreamEndpoint.is(r.address)) {
      long host = r.address.networkKey();
      int[] count = perHost.get(host);
      if (count != null && --count[0] <= 0) {
        perHost.remove(host);
      }
    }
  }

  /**
   * Registrations from {@code address}'s host: its ip, an IPv6 source's /64 ({@link Endpoint#networkKey}). A
   * stream connection's synthetic address ({@link StreamEndpoint}, all in 100::/64) counts alone and holds at
   * most one registration (one address, one registration), so it is not counted: its connections are bounded
   * per remote ip by the TLS listener.
   */
  private int hostCount(Endpoint address) {
    int[] count = StreamEndpoint.is(address) ? null : perHost.get(address.networkKey());
    return count == null ? 0 : count[0];
  }

  private static boolean sameHost(Endpoint a, Endpoint b) {
    return StreamEndpoint.is(a) ? a.equals(b) : !StreamEndpoint.is(b) && a.networkKey() == b.networkKey();
  }

  private RegistryException hostFull(Endpoint address) {
    return new RegistryException("server-full", "the rendezvous holds its maximum of " + maxClientsPerHost
      + " clients from " + address.network());
  }
}
