package io.p2pchat.portmap;

import java.util.Locale;

/** A port-mapping protocol a gateway may speak; {@link #wireName()} is its name in config and JSON. */
public enum Protocol {
  /** NAT-PMP, RFC 6886 (UDP 5351). */
  NATPMP("natpmp"),
  /** Port Control Protocol, RFC 6887 (UDP 5351, NAT-PMP's successor). */
  PCP("pcp"),
  /** UPnP Internet Gateway Device: SSDP discovery, then SOAP over HTTP to WANIPConnection. */
  UPNP("upnp");

  private final String wireName;

  Protocol(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The protocol named {@code name} in config, or null. */
  public static Protocol named(String name) {
    for (Protocol p : values()) {
      if (p.wireName.equals(name.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    return null;
  }
}
