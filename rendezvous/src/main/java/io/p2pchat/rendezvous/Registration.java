package io.p2pchat.rendezvous;

import io.p2pchat.wire.Endpoint;

import java.util.List;

/** One registered client, as the rendezvous knows it. Mutable only on the verticle's event loop. */
final class Registration {

  final String nick;
  /** Opaque: a public room's name or a secret room's HMAC id; the server never interprets it. */
  final String room;
  /** The Ed25519 public key that signed the registration: the nick is bound to it while registered. */
  final byte[] key;
  /** Random per client process: a new one means the client restarted and its sessions are new. */
  String instance;
  Endpoint address;
  List<Endpoint> local;
  final long relayId;
  long lastSeenNanos;
  /** When it registered with us (or was announced to us): the cluster's arrival race is judged by it. */
  final long sinceNanos;
  /**
   * What most registrations do not have, in one field ({@link #owner()}, {@link #alt()}, {@link #portmap()},
   * {@link #orphaned()}): null for a client of ours with none of it (the common case), the owner's node id
   * (the {@code String} it always was) for a client of another instance with nothing else, a {@link Rare}
   * otherwise. Four fields of their own cost every registration 16 bytes, a client of ours or not.
   */
  private Object rare;
  /**
   * Its relay budget ({@link RelayBudget}, GCRA): when its bucket would be full again. Spent where relay
   * frames enter the cluster (used once a client of another instance moves here).
   */
  long relayReadyNanos;

  /** A client of ours; {@code room} is the request's, as the registry holds it ({@link Registry#canonicalRoom}). */
  Registration(RegisterRequest request, String room, Endpoint address, long relayId, long nowNanos) {
    this.nick = request.nick();
    this.room = room;
    this.key = request.key();
    this.instance = request.instance();
    this.address = address;
    this.local = request.local();
    this.relayId = relayId;
    this.lastSeenNanos = nowNanos;
    this.sinceNanos = nowNanos;
    this.relayReadyNanos = nowNanos; // a full bucket
  }

  /** A client registered with another instance of the cluster, as announced by it. */
  Registration(String nick, String room, byte[] key, String instance, Endpoint address, List<Endpoint> local,
               long relayId, String owner, long nowNanos) {
    this.nick = nick;
    this.room = room;
    this.key = key;
    this.instance = instance;
    this.address = address;
    this.local = local;
    this.relayId = relayId;
    this.rare = owner;
    this.lastSeenNanos = nowNanos;
    this.sinceNanos = nowNanos;
    this.relayReadyNanos = nowNanos; // a full bucket
  }

  boolean isLocal() {
    return owner() == null;
  }

  /** Null for a client of this instance; else the cluster node id of the instance it is registered with. */
  String owner() {
    return rare instanceof Rare r ? r.owner : (String) rare;
  }

  void owner(String owner) {
    if (rare instanceof Rare r) {
      r.owner = owner;
    } else {
      rare = owner;
    }
  }

  /**
   * Its address of the other family, validated by {@link AltAddressHandler} (an additional reflexive
   * candidate peers are told of), or null.
   */
  Endpoint alt() {
    return rare instanceof Rare r ? r.alt : null;
  }

  /** The address its gateway's port mapping forwards to it, on the host of {@link #address} ({@link PortmapHandler}), or null. */
  Endpoint portmap() {
    return rare instanceof Rare r ? r.portmap : null;
  }

  /**
   * Its instance left the cluster: kept until its TTL, so that the client can move to another
   * instance with the same key and relay id, but neither introduced nor relayed to meanwhile (its
   * instance cannot hand it anything, and its address is the one it had there).
   */
  boolean orphaned() {
    return rare instanceof Rare r && r.orphaned;
  }

  void alt(Endpoint alt) {
    setRare(alt, portmap(), orphaned());
  }

  void portmap(Endpoint portmap) {
    setRare(alt(), portmap, orphaned());
  }

  void orphaned(boolean orphaned) {
    setRare(alt(), portmap(), orphaned);
  }

  /** A holder while any of them is set; the owner alone (or null) once none is. */
  private void setRare(Endpoint alt, Endpoint portmap, boolean orphaned) {
    if (alt == null && portmap == null && !orphaned) {
      rare = owner();
      return;
    }
    Rare r = rare instanceof Rare held ? held : new Rare(owner());
    r.alt = alt;
    r.portmap = portmap;
    r.orphaned = orphaned;
    rare = r;
  }

  /** The rare fields of a registration that has more of them than its owner. */
  private static final class Rare {
    String owner;
    Endpoint alt;
    Endpoint portmap;
    boolean orphaned;

    Rare(String owner) {
      this.owner = owner;
    }
  }

  /** The room as log lines show it: a secret room's id is 64 hex digits, and its first 8 tell rooms apart. */
  String shortRoom() {
    return room.length() > 16 ? room.substring(0, 8) + "…" : room;
  }
}
