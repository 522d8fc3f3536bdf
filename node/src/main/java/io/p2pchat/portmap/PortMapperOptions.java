package io.p2pchat.portmap;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.EnumSet;
import java.util.Set;

/**
 * How a {@link PortMapper} asks. The config key {@code portMapping}: {@code true} (the default: every protocol),
 * {@code false} (off), or {@code {"protocols": ["natpmp", "pcp", "upnp"]}} to restrict the protocols tried (tests,
 * or a gateway whose UPnP misbehaves). Any other key or value stops start-up.
 */
public final class PortMapperOptions {

  /** Tailscale's choice: a gateway on the LAN answers in milliseconds; one that does not answer in 250 ms costs no more. */
  public static final long DEFAULT_PROBE_TIMEOUT_MS = 250;
  /** Two hours, as Tailscale asks: short enough that a crashed node's mapping goes away by itself. */
  public static final long DEFAULT_LEASE_SECONDS = 7200;

  private boolean enabled = true;
  private Set<Protocol> protocols = EnumSet.allOf(Protocol.class);
  private long probeTimeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
  private long leaseSeconds = DEFAULT_LEASE_SECONDS;

  public boolean enabled() {
    return enabled;
  }

  public PortMapperOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  public Set<Protocol> protocols() {
    return EnumSet.copyOf(protocols);
  }

  public PortMapperOptions setProtocols(Set<Protocol> protocols) {
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("portMapping.protocols must name at least one of natpmp, pcp, upnp");
    }
    this.protocols = EnumSet.copyOf(protocols);
    return this;
  }

  public long probeTimeoutMs() {
    return probeTimeoutMs;
  }

  public PortMapperOptions setProbeTimeoutMs(long probeTimeoutMs) {
    this.probeTimeoutMs = probeTimeoutMs;
    return this;
  }

  public long leaseSeconds() {
    return leaseSeconds;
  }

  public PortMapperOptions setLeaseSeconds(long leaseSeconds) {
    this.leaseSeconds = leaseSeconds;
    return this;
  }

  /**
   * The options of the config value {@code portMapping} (null: the defaults); throws
   * IllegalArgumentException with a message naming the bad key or value.
   */
  public static PortMapperOptions fromConfig(Object value) {
    PortMapperOptions o = new PortMapperOptions();
    if (value == null || Boolean.TRUE.equals(value)) {
      return o;
    }
    if (Boolean.FALSE.equals(value)) {
      return o.setEnabled(false);
    }
    if (!(value instanceof JsonObject obj)) {
      throw new IllegalArgumentException("portMapping must be true, false or {\"protocols\": [...]} (got " + value + ")");
    }
    for (String key : obj.fieldNames()) {
      if (!key.equals("protocols")) {
        throw new IllegalArgumentException("unknown config key portMapping." + key);
      }
    }
    if (!(obj.getValue("protocols") instanceof JsonArray list)) {
      throw new IllegalArgumentException("portMapping.protocols must be a list of natpmp, pcp, upnp");
    }
    Set<Protocol> set = EnumSet.noneOf(Protocol.class);
    for (Object name : list) {
      Protocol p = name instanceof String s ? Protocol.named(s) : null;
      if (p == null) {
        throw new IllegalArgumentException("portMapping.protocols: unknown protocol " + name + " (natpmp, pcp, upnp)");
      }
      set.add(p);
    }
    return o.setProtocols(set);
  }

  @Override
  public String toString() {
    return enabled ? "portMapping " + protocols : "portMapping off";
  }
}
