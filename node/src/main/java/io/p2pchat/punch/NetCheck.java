package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node's NAT does, learned the standard way (like Tailscale's netcheck): STUN Binding
 * requests from our one socket to two or more sources. The same mapped address from all of them
 * means the NAT maps per endpoint (punching works); different ones mean it maps per destination,
 * so the reflexive address a peer gets from the rendezvous is useless to it and the relay should
 * carry the session from the start.
 */
final class NetCheck {

  /** How the NAT maps our socket's outgoing flows. */
  enum Mapping {
    /** Fewer than two sources answered. */
    UNKNOWN,
    /** One public address for every destination: punching can work. */
    ENDPOINT_INDEPENDENT,
    /** A new public address or port per destination (a "hard" NAT): punching cannot work from here. */
    PER_DESTINATION
  }

  private final Map<String, Endpoint> pending = new HashMap<>();
  private final Map<Endpoint, Endpoint> mapped = new LinkedHashMap<>();

  /** Remembers a request sent to {@code server} with this transaction id (hex). */
  void sent(String transactionId, Endpoint server) {
    pending.put(transactionId, server);
  }

  /** A response: true when it answered one of our requests. */
  boolean answered(String transactionId, Endpoint from, Endpoint mappedAddress) {
    Endpoint server = pending.remove(transactionId);
    if (server == null || !server.equals(from)) {
      return false;
    }
    mapped.put(server, mappedAddress);
    return true;
  }

  /** Forgets earlier answers before a new round. */
  void reset() {
    pending.clear();
    mapped.clear();
  }

  Mapping mapping() {
    if (mapped.size() < 2) {
      return Mapping.UNKNOWN;
    }
    return mapped.values().stream().distinct().count() == 1 ? Mapping.ENDPOINT_INDEPENDENT : Mapping.PER_DESTINATION;
  }

  List<Endpoint> mappedAddresses() {
    return new ArrayList<>(mapped.values());
  }

  JsonObject toJson() {
    JsonArray sources = new JsonArray();
    mapped.forEach((server, address) -> sources.add(new JsonObject()
      .put("server", server.toString()).put("mapped", address.toString())));
    return new JsonObject().put("mapping", mapping().name().toLowerCase().replace('_', '-')).put("sources", sources);
  }
}
