package io.p2pchat.rendezvous;

import io.p2pchat.wire.Endpoint;

import java.util.List;

/** One registered client, as the rendezvous knows it. Mutable only on the verticle's event loop. */
final class Registration {

  final String nick;
  final String room;
  /** Proves across restarts that a re-registration comes from the same install. */
  final String token;
  /** Random per client process: a new one means the client restarted and its sessions are new. */
  String instance;
  Endpoint address;
  List<Endpoint> local;
  final long relayId;
  long lastSeenNanos;
  final RelayBudget relayBudget;

  Registration(String nick, String room, String token, String instance, Endpoint address,
               List<Endpoint> local, long relayId, long nowNanos, RelayBudget relayBudget) {
    this.nick = nick;
    this.room = room;
    this.token = token;
    this.instance = instance;
    this.address = address;
    this.local = local;
    this.relayId = relayId;
    this.lastSeenNanos = nowNanos;
    this.relayBudget = relayBudget;
  }
}
