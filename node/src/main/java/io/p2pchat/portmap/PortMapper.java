package io.p2pchat.portmap;

import io.p2pchat.common.NodeLog;
import io.p2pchat.portmap.impl.PortMapperImpl;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Asks the default gateway to forward a public UDP port to our socket, by NAT-PMP (RFC 6886), PCP (RFC 6887)
 * and UPnP-IGD at once, and keeps the mapping: renewed at half its lease, asked again when our address or the
 * gateway changes, deleted on {@link #stop()}. Create it on the event loop that owns the socket; every handler
 * runs there. A gateway that answers none of them costs the probe timeouts and nothing else.
 */
public interface PortMapper {

  /** A mapper whose lines carry no node's stamp (an application's own use). */
  static PortMapper create(Vertx vertx, PortMapperOptions options) {
    return create(vertx, options, NodeLog.unstamped(PortMapper.class));
  }

  /** A mapper whose lines go to {@code log}: a node's, so they land in its file with its nick. */
  static PortMapper create(Vertx vertx, PortMapperOptions options, NodeLog log) {
    return new PortMapperImpl(vertx, options, log);
  }

  /** Called with each new mapping, and with null when a mapping is lost (the gateway or our address changed). */
  PortMapper mappingHandler(Handler<Mapping> handler);

  /** Starts mapping {@code udpPort}; completes once the first attempt ended, mapped or not (never fails). */
  Future<Void> start(int udpPort);

  /** The current mapping, or null. */
  Mapping mapping();

  /** Where it stands, for {@code /netcheck}: state, gateway, which protocols answered, the mapping. */
  JsonObject status();

  /** Deletes the mapping at the gateway (bounded by a timeout) and closes the sockets. Never fails. */
  Future<Void> stop();
}
