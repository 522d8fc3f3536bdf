package io.p2pchat.portmap.impl;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * SSDP (UPnP Device Architecture 1.1, 1.3): the M-SEARCH we send to the gateway's port 1900 and the
 * {@code LOCATION} of its answer, the URL of the device description.
 */
public final class SsdpCodec {

  public static final int PORT = 1900;
  /** What we look for: an Internet Gateway Device (version 1; version-2 devices answer it too). */
  static final String SEARCH_TARGET = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
  /** SSDP answers are single datagrams of a few hundred bytes; a longer one is not an answer to us. */
  public static final int MAX_REPLY_BYTES = 2048;
  /** A URL longer than this in LOCATION is refused. */
  static final int MAX_LOCATION_LENGTH = 512;
  /** How long a device may wait before answering (MX, seconds): the least the standard allows. */
  static final int MX_SECONDS = 1;

  private SsdpCodec() {
  }

  public static Buffer search() {
    return Buffer.buffer("M-SEARCH * HTTP/1.1\r\n"
      + "HOST: 239.255.255.250:1900\r\n"
      + "MAN: \"ssdp:discover\"\r\n"
      + "MX: " + MX_SECONDS + "\r\n"
      + "ST: " + SEARCH_TARGET + "\r\n\r\n", StandardCharsets.US_ASCII.name());
  }

  /**
   * The LOCATION of an SSDP answer ({@code HTTP/1.1 200 OK} with {@code LOCATION: http://...}); rejected when
   * the datagram is oversized, is no 200 answer, has no LOCATION, or it is not an {@code http://} URL on the
   * gateway {@code gateway} itself (a device elsewhere could make us post to any host).
   */
  public static String location(Buffer reply, String gateway) throws PortMapReplyException {
    if (reply.length() > MAX_REPLY_BYTES) {
      throw new PortMapReplyException("SSDP reply of " + reply.length() + " bytes");
    }
    String text = reply.toString(StandardCharsets.ISO_8859_1);
    String[] lines = text.split("\r?\n");
    if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 200")) {
      throw new PortMapReplyException("SSDP reply is not '200 OK'");
    }
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("location")) {
        String url = line.substring(colon + 1).trim();
        if (url.length() > MAX_LOCATION_LENGTH) {
          throw new PortMapReplyException("SSDP LOCATION of " + url.length() + " characters");
        }
        if (!url.startsWith("http://" + gateway + ":") && !url.startsWith("http://" + gateway + "/")) {
          throw new PortMapReplyException("SSDP LOCATION " + url + " is not on the gateway " + gateway);
        }
        return url;
      }
    }
    throw new PortMapReplyException("SSDP reply without LOCATION");
  }
}
