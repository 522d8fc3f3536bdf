package io.p2pchat.portmap.impl;

import io.vertx.core.buffer.Buffer;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The SOAP actions of WANIPConnection we use (UPnP IGD 1.0, WANIPConnection:1 2.4): GetExternalIPAddress,
 * AddPortMapping and DeletePortMapping, and their answers (a 200 body, or a 500 with a UPnPError code).
 */
public final class IgdSoap {

  /** A SOAP answer is a few hundred bytes; longer is refused. */
  public static final int MAX_RESPONSE_BYTES = 16 * 1024;
  /** UPnP error: the external port is mapped to another client already. */
  public static final int CONFLICT_IN_MAPPING_ENTRY = 718;
  /** UPnP error: the device only supports leases of 0 (permanent). */
  public static final int ONLY_PERMANENT_LEASES = 725;
  /** What every mapping we make is called on the gateway (shown by `upnpc -l` and routers' pages). */
  static final String DESCRIPTION = "p2pchat";

  private IgdSoap() {
  }

  /** The SOAPAction header of {@code action}. */
  public static String soapAction(String serviceType, String action) {
    return "\"" + serviceType + "#" + action + "\"";
  }

  public static Buffer getExternalIpAddress(String serviceType) {
    return envelope(serviceType, "GetExternalIPAddress", "");
  }

  public static Buffer addPortMapping(String serviceType, int externalPort, int internalPort, String internalClient,
      long leaseSeconds) {
    return envelope(serviceType, "AddPortMapping", "<NewRemoteHost></NewRemoteHost>"
      + "<NewExternalPort>" + externalPort + "</NewExternalPort><NewProtocol>UDP</NewProtocol>"
      + "<NewInternalPort>" + internalPort + "</NewInternalPort>"
      + "<NewInternalClient>" + internalClient + "</NewInternalClient><NewEnabled>1</NewEnabled>"
      + "<NewPortMappingDescription>" + DESCRIPTION + "</NewPortMappingDescription>"
      + "<NewLeaseDuration>" + leaseSeconds + "</NewLeaseDuration>");
  }

  public static Buffer deletePortMapping(String serviceType, int externalPort) {
    return envelope(serviceType, "DeletePortMapping", "<NewRemoteHost></NewRemoteHost>"
      + "<NewExternalPort>" + externalPort + "</NewExternalPort><NewProtocol>UDP</NewProtocol>");
  }

  /** The external address in a GetExternalIPAddress answer (dotted IPv4, checked). */
  public static String externalIpAddress(Buffer body) throws PortMapReplyException {
    Document doc = bounded(body);
    String ip = IgdDescription.Xml.childText(doc.getDocumentElement(), "NewExternalIPAddress");
    if (ip == null || ip.isEmpty()) {
      throw new PortMapReplyException("GetExternalIPAddress answer without an address");
    }
    try {
      PcpCodec.ipv4(ip);
    } catch (IllegalArgumentException e) {
      throw new PortMapReplyException("GetExternalIPAddress answer '" + ip + "' is not an IPv4 address");
    }
    return ip;
  }

  /** The UPnPError code of a 500 answer, or -1 when it carries none. */
  public static int errorCode(Buffer body) {
    try {
      Element root = bounded(body).getDocumentElement();
      String code = IgdDescription.Xml.childText(root, "errorCode");
      return code == null ? -1 : Integer.parseInt(code);
    } catch (PortMapReplyException | NumberFormatException e) {
      return -1;
    }
  }

  private static Document bounded(Buffer body) throws PortMapReplyException {
    if (body.length() > MAX_RESPONSE_BYTES) {
      throw new PortMapReplyException("SOAP answer of " + body.length() + " bytes");
    }
    return IgdDescription.Xml.parse(body);
  }

  private static Buffer envelope(String serviceType, String action, String arguments) {
    return Buffer.buffer("<?xml version=\"1.0\"?>\r\n"
      + "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>"
      + "<u:" + action + " xmlns:u=\"" + serviceType + "\">" + arguments + "</u:" + action + ">"
      + "</s:Body></s:Envelope>\r\n");
  }
}
