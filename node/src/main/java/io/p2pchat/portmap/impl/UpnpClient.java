package io.p2pchat.portmap.impl;

import io.p2pchat.portmap.Mapping;
import io.p2pchat.portmap.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.security.SecureRandom;

/**
 * UPnP-IGD: an SSDP M-SEARCH to the gateway's port 1900 (unicast: only the gateway may answer), its device
 * description fetched from the answer's LOCATION, then SOAP to the WANIPConnection control URL. Every answer
 * is bounded: SSDP replies in number and size, bodies in bytes (read until the bound, then the connection is
 * reset), every HTTP exchange by {@link #HTTP_TIMEOUT_MS}. Lives on its {@link PortMapperImpl}'s event loop.
 */
final class UpnpClient {

  /** An IGD on the LAN answers HTTP in milliseconds; one that takes a second is not worth waiting for longer. */
  static final long HTTP_TIMEOUT_MS = 2000;
  /** SSDP answers read per search: a gateway sends one per matching device, a handful at most; the rest are dropped. */
  static final int MAX_SSDP_REPLIES = 8;
  /** Tries of AddPortMapping when the port we ask for is taken by another client (718): then a random one. */
  static final int MAX_CONFLICT_RETRIES = 3;
  /** Random external ports are drawn from the dynamic range (RFC 6335). */
  static final int DYNAMIC_PORT_FIRST = 49152;
  static final int DYNAMIC_PORT_COUNT = 16384;

  private final Vertx vertx;
  private final Counters counters;
  private final SecureRandom random = new SecureRandom();
  private final HttpClient http;
  private DatagramSocket ssdp;

  UpnpClient(Vertx vertx, Counters counters) {
    this.vertx = vertx;
    this.counters = counters;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) HTTP_TIMEOUT_MS)
      .setKeepAlive(false));
  }

  /** Finds the gateway's IGD: the first valid SSDP answer within {@code timeoutMs}, then its description. */
  Future<IgdDescription> probe(String gateway, long timeoutMs) {
    return search(gateway, timeoutMs).compose(location ->
      fetch(HttpMethod.GET, location, null, null, IgdDescription.MAX_BYTES)
        .map(reply -> {
          try {
            if (reply.status != 200) {
              throw new IllegalStateException("upnp: description " + location + " answered " + reply.status);
            }
            return IgdDescription.parse(reply.body, location, gateway);
          } catch (PortMapReplyException e) {
            counters.dropped(e.getMessage());
            throw new IllegalStateException("upnp: " + e.getMessage());
          }
        }));
  }

  /**
   * Maps {@code internalPort} of {@code local} asking for {@code suggestedPort} first (another, random one when
   * the gateway says it is taken), then reads the external address.
   */
  Future<Mapping> map(IgdDescription igd, String local, int internalPort, int suggestedPort, long leaseSeconds) {
    return add(igd, local, internalPort, suggestedPort, leaseSeconds, 0)
      .compose(mapped -> soap(igd, "GetExternalIPAddress", IgdSoap.getExternalIpAddress(igd.serviceType()))
        .map(body -> {
          try {
            return new Mapping(Protocol.UPNP, IgdSoap.externalIpAddress(body), (int) mapped[0], internalPort, mapped[1]);
          } catch (PortMapReplyException e) {
            counters.dropped(e.getMessage());
            throw new IllegalStateException("upnp: " + e.getMessage());
          }
        }));
  }

  /** DeletePortMapping of {@code mapping}'s external port. */
  Future<Void> delete(IgdDescription igd, Mapping mapping) {
    return soap(igd, "DeletePortMapping", IgdSoap.deletePortMapping(igd.serviceType(), mapping.externalPort()))
      .mapEmpty();
  }

  Future<Void> close() {
    DatagramSocket s = ssdp;
    ssdp = null;
    return (s == null ? Future.<Void>succeededFuture() : s.close()).eventually(() -> http.close());
  }

  /** {external port, lease} of a successful AddPortMapping. */
  private Future<long[]> add(IgdDescription igd, String local, int internalPort, int port, long lease, int conflicts) {
    return fetch(HttpMethod.POST, igd.controlUrl(), IgdSoap.soapAction(igd.serviceType(), "AddPortMapping"),
      IgdSoap.addPortMapping(igd.serviceType(), port, internalPort, local, lease), IgdSoap.MAX_RESPONSE_BYTES)
      .compose(reply -> {
        if (reply.status == 200) {
          return Future.succeededFuture(new long[] {port, lease});
        }
        int code = IgdSoap.errorCode(reply.body);
        if (code == IgdSoap.CONFLICT_IN_MAPPING_ENTRY && conflicts < MAX_CONFLICT_RETRIES) {
          return add(igd, local, internalPort, DYNAMIC_PORT_FIRST + random.nextInt(DYNAMIC_PORT_COUNT), lease,
            conflicts + 1);
        }
        if (code == IgdSoap.ONLY_PERMANENT_LEASES && lease != 0) {
          return add(igd, local, internalPort, port, 0, conflicts);
        }
        return Future.failedFuture("upnp: AddPortMapping answered " + reply.status + " (UPnP error " + code + ")");
      });
  }

  private Future<Buffer> soap(IgdDescription igd, String action, Buffer body) {
    return fetch(HttpMethod.POST, igd.controlUrl(), IgdSoap.soapAction(igd.serviceType(), action), body,
      IgdSoap.MAX_RESPONSE_BYTES).compose(reply -> reply.status == 200 ? Future.succeededFuture(reply.body)
        : Future.failedFuture("upnp: " + action + " answered " + reply.status + " (UPnP error "
          + IgdSoap.errorCode(reply.body) + ")"));
  }

  /** The LOCATION of the gateway's first valid SSDP answer, at most {@link #MAX_SSDP_REPLIES} read. */
  private Future<String> search(String gateway, long timeoutMs) {
    Promise<String> found = Promise.promise();
    int[] read = {0};
    Future<DatagramSocket> socket = ssdp != null ? Future.succeededFuture(ssdp)
      : vertx.createDatagramSocket(new DatagramSocketOptions()).listen(0, "0.0.0.0").onSuccess(s -> ssdp = s);
    return socket.compose(s -> {
      s.handler(packet -> {
        if (found.future().isComplete() || ++read[0] > MAX_SSDP_REPLIES) {
          counters.dropped("SSDP reply past the first");
          return;
        }
        if (!packet.sender().hostAddress().equals(gateway)) {
          counters.dropped("SSDP reply not from the gateway");
          return;
        }
        try {
          found.tryComplete(SsdpCodec.location(packet.data(), gateway));
        } catch (PortMapReplyException e) {
          counters.dropped(e.getMessage());
        }
      });
      s.send(SsdpCodec.search(), SsdpCodec.PORT, gateway);
      long giveUp = vertx.setTimer(timeoutMs, id -> found.tryFail("upnp: no SSDP answer from " + gateway));
      return found.future().andThen(ar -> vertx.cancelTimer(giveUp));
    });
  }

  /** An HTTP answer, its body read up to a bound. */
  private record Reply(int status, Buffer body) {
  }

  private Future<Reply> fetch(HttpMethod method, String url, String soapAction, Buffer body, int maxBytes) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url)
      .setIdleTimeout(HTTP_TIMEOUT_MS);
    if (soapAction != null) {
      options.putHeader("SOAPAction", soapAction).putHeader(HttpHeaders.CONTENT_TYPE, "text/xml; charset=\"utf-8\"");
    }
    return http.request(options).compose(req -> {
      Promise<Reply> reply = Promise.promise();
      long deadline = vertx.setTimer(HTTP_TIMEOUT_MS, id -> {
        if (reply.tryFail("upnp: " + url + " did not answer within " + HTTP_TIMEOUT_MS + " ms")) {
          req.reset();
        }
      });
      req.response().onFailure(reply::tryFail).onSuccess(resp -> {
        Buffer acc = Buffer.buffer();
        resp.handler(chunk -> {
          if (acc.length() + chunk.length() > maxBytes) {
            counters.dropped("HTTP body over " + maxBytes + " bytes from " + url);
            if (reply.tryFail("upnp: " + url + " answered more than " + maxBytes + " bytes")) {
              req.reset();
            }
          } else {
            acc.appendBuffer(chunk);
          }
        });
        resp.exceptionHandler(reply::tryFail);
        resp.endHandler(v -> reply.tryComplete(new Reply(resp.statusCode(), acc)));
      });
      (body == null ? req.end() : req.end(body)).onFailure(reply::tryFail);
      return reply.future().andThen(ar -> vertx.cancelTimer(deadline));
    });
  }
}
