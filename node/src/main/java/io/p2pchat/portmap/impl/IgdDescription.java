package io.p2pchat.portmap.impl;

import io.vertx.core.buffer.Buffer;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

/**
 * The part of an IGD's device description we use: the control URL of its WANIPConnection (or WANPPPConnection)
 * service, absolute, on the gateway. XML is parsed with DTDs and external entities refused, from a body
 * already bounded by {@link #MAX_BYTES}.
 *
 * @param serviceType the service's URN, which names the SOAP actions
 * @param controlUrl where to POST them
 */
public record IgdDescription(String serviceType, String controlUrl) {

  /** A device description is a few KiB; miniupnpd's is ~3. Anything longer is refused unread. */
  public static final int MAX_BYTES = 64 * 1024;
  /** The services that map ports, best first. */
  static final List<String> SERVICE_TYPES = List.of(
    "urn:schemas-upnp-org:service:WANIPConnection:2",
    "urn:schemas-upnp-org:service:WANIPConnection:1",
    "urn:schemas-upnp-org:service:WANPPPConnection:1");

  /** Parses {@code body}, fetched from {@code location}; the control URL is resolved against it and must stay on {@code gateway}. */
  public static IgdDescription parse(Buffer body, String location, String gateway) throws PortMapReplyException {
    if (body.length() > MAX_BYTES) {
      throw new PortMapReplyException("IGD description of " + body.length() + " bytes");
    }
    Document doc = Xml.parse(body);
    NodeList services = doc.getElementsByTagNameNS("*", "service");
    for (String wanted : SERVICE_TYPES) {
      for (int i = 0; i < services.getLength(); i++) {
        Element service = (Element) services.item(i);
        if (wanted.equals(Xml.childText(service, "serviceType"))) {
          String control = Xml.childText(service, "controlURL");
          if (control == null || control.isEmpty()) {
            throw new PortMapReplyException("IGD service " + wanted + " without controlURL");
          }
          String url;
          try {
            url = URI.create(location).resolve(control).toString();
          } catch (IllegalArgumentException e) {
            throw new PortMapReplyException("IGD controlURL '" + control + "' is not a URL");
          }
          URI resolved = URI.create(url);
          if (!"http".equals(resolved.getScheme()) || !gateway.equals(resolved.getHost())) {
            throw new PortMapReplyException("IGD controlURL " + url + " is not on the gateway " + gateway);
          }
          return new IgdDescription(wanted, url);
        }
      }
    }
    throw new PortMapReplyException("IGD description without a WANIPConnection or WANPPPConnection service");
  }

  /** A hardened DOM parser: no DTD, no external entities, no XInclude. */
  static final class Xml {
    private Xml() {
    }

    static Document parse(Buffer body) throws PortMapReplyException {
      try {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new InputSource(new ByteArrayInputStream(body.getBytes())));
      } catch (Exception e) {
        throw new PortMapReplyException("malformed XML: " + e.getMessage());
      }
    }

    /** The trimmed text of {@code parent}'s first descendant named {@code local} (any namespace), or null. */
    static String childText(Element parent, String local) {
      NodeList list = parent.getElementsByTagNameNS("*", local);
      return list.getLength() == 0 ? null : list.item(0).getTextContent().trim();
    }
  }
}
