package io.p2pchat.portmap;

import io.vertx.core.json.JsonObject;

/**
 * A UDP port the gateway forwards to us.
 *
 * @param protocol which protocol made it
 * @param externalHost the gateway's public IPv4 address, dotted
 * @param externalPort the public port
 * @param internalPort our socket's port it forwards to
 * @param lifetimeSeconds the lease the gateway granted (0: until deleted, UPnP's permanent lease)
 */
public record Mapping(Protocol protocol, String externalHost, int externalPort, int internalPort, long lifetimeSeconds) {

  /** {@code host:port} of the public side. */
  public String external() {
    return externalHost + ":" + externalPort;
  }

  public JsonObject toJson() {
    return new JsonObject().put("protocol", protocol.wireName()).put("external", external())
      .put("internalPort", internalPort).put("lifetimeSeconds", lifetimeSeconds);
  }
}
