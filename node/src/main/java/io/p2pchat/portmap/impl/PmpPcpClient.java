package io.p2pchat.portmap.impl;

import io.p2pchat.portmap.Mapping;
import io.p2pchat.portmap.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

import java.net.Inet4Address;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * NAT-PMP and PCP over one UDP socket to the gateway's port 5351: requests retransmitted on a schedule,
 * a reply accepted only from the gateway's port and only when it answers a pending request (the rest is
 * dropped and counted). Keeps the PCP nonce of the mapping it made: renewals and the delete repeat it.
 * Lives on the event loop of the {@link PortMapperImpl} that owns it.
 */
final class PmpPcpClient {

  /** Retransmissions of a mapping request (RFC 6886 3.1 starts at 250 ms and doubles; three tries are enough on a LAN). */
  static final long[] MAP_SCHEDULE_MS = {250, 500, 1000};
  /** A delete on shutdown is sent once and waited for briefly: shutdown must not hang on a gone gateway. */
  static final long[] DELETE_SCHEDULE_MS = {250, 250};

  private final Vertx vertx;
  private final Counters counters;
  private final SecureRandom random = new SecureRandom();
  private final List<Pending> pending = new ArrayList<>();
  /**
   * Protocols whose probe answer came after the probe had timed out (a loaded or cold JVM): still proof that
   * the gateway speaks it, read once the slower probes are done.
   */
  private final java.util.Set<Protocol> answeredLate = java.util.EnumSet.noneOf(Protocol.class);
  private String lateExternal;
  private DatagramSocket socket;
  private String gateway;
  private byte[] pcpNonce;

  /** A request awaiting its reply: which packets answer it. */
  private record Pending(Protocol protocol, int opcode, byte[] nonce, Promise<Buffer> promise) {
    /** True when {@code data} answers this request (a PCP MAP: one with our nonce; anything else is someone else's). */
    boolean answeredBy(Buffer data) {
      return protocol == Protocol.PCP
        ? PcpCodec.responseOpcode(data) == opcode && (nonce == null || PcpCodec.hasNonce(data, nonce))
        : NatPmpCodec.responseOpcode(data) == opcode;
    }
  }

  PmpPcpClient(Vertx vertx, Counters counters) {
    this.vertx = vertx;
    this.counters = counters;
  }

  Future<Void> open(String gateway) {
    this.gateway = gateway;
    if (socket != null) {
      return Future.succeededFuture();
    }
    socket = vertx.createDatagramSocket(new DatagramSocketOptions());
    socket.handler(this::onPacket);
    return socket.listen(0, "0.0.0.0").mapEmpty();
  }

  /** NAT-PMP's external-address request, once, within {@code timeoutMs}: the gateway's public address. */
  Future<String> probeNatPmp(long timeoutMs) {
    return exchange(Protocol.NATPMP, NatPmpCodec.OP_EXTERNAL_ADDRESS, NatPmpCodec.externalAddressRequest(),
      new long[] {timeoutMs}).map(r -> decode(() -> NatPmpCodec.decodeExternalAddress(r).address()));
  }

  /** PCP's ANNOUNCE, once, within {@code timeoutMs}: succeeds when the gateway speaks PCP. */
  Future<Void> probePcp(Inet4Address local, long timeoutMs) {
    return exchange(Protocol.PCP, PcpCodec.OP_ANNOUNCE, PcpCodec.announceRequest(local), new long[] {timeoutMs})
      .map(r -> decode(() -> PcpCodec.decodeAnnounce(r))).mapEmpty();
  }

  /** Maps over NAT-PMP; {@code externalHost} is what the probe learned. */
  Future<Mapping> mapNatPmp(String externalHost, int internalPort, int suggestedPort, long leaseSeconds) {
    return exchange(Protocol.NATPMP, NatPmpCodec.OP_MAP_UDP, NatPmpCodec.mapRequest(internalPort, suggestedPort,
      leaseSeconds), MAP_SCHEDULE_MS).map(r -> decode(() -> {
        NatPmpCodec.MapResult m = NatPmpCodec.decodeMap(r);
        return new Mapping(Protocol.NATPMP, externalHost, m.externalPort(), internalPort, m.lifetimeSeconds());
      }));
  }

  /** Maps over PCP; a renewal ({@code renew}) repeats the nonce of the mapping, a new mapping draws a new one. */
  Future<Mapping> mapPcp(Inet4Address local, int internalPort, int suggestedPort, String suggestedHost,
      long leaseSeconds, boolean renew) {
    if (!renew || pcpNonce == null) {
      pcpNonce = new byte[PcpCodec.NONCE_LENGTH];
      random.nextBytes(pcpNonce);
    }
    byte[] nonce = pcpNonce;
    Inet4Address external = suggestedHost == null ? null : PcpCodec.ipv4(suggestedHost);
    return exchange(Protocol.PCP, PcpCodec.OP_MAP, PcpCodec.mapRequest(local, nonce, internalPort, suggestedPort,
      external, leaseSeconds), MAP_SCHEDULE_MS, nonce, internalPort).map(r -> decode(() -> {
        PcpCodec.MapResult m = PcpCodec.decodeMap(r, nonce, internalPort);
        return new Mapping(Protocol.PCP, m.externalHost(), m.externalPort(), internalPort, m.lifetimeSeconds());
      }));
  }

  /** Deletes {@code mapping} (NAT-PMP: lifetime 0; PCP: lifetime 0 with the nonce that made it). */
  Future<Void> delete(Inet4Address local, Mapping mapping) {
    if (mapping.protocol() == Protocol.PCP && pcpNonce != null) {
      byte[] nonce = pcpNonce;
      return exchange(Protocol.PCP, PcpCodec.OP_MAP, PcpCodec.mapRequest(local, nonce, mapping.internalPort(),
        mapping.externalPort(), PcpCodec.ipv4(mapping.externalHost()), 0), DELETE_SCHEDULE_MS, nonce,
        mapping.internalPort()).mapEmpty();
    }
    return exchange(Protocol.NATPMP, NatPmpCodec.OP_MAP_UDP, NatPmpCodec.mapRequest(mapping.internalPort(), 0, 0),
      DELETE_SCHEDULE_MS).mapEmpty();
  }

  /** True when {@code protocol}'s probe was answered after it timed out; forgets it. */
  boolean answeredLate(Protocol protocol) {
    return answeredLate.remove(protocol);
  }

  /** The external address of a NAT-PMP probe answered late. */
  String lateExternal() {
    return lateExternal;
  }

  Future<Void> close() {
    pending.forEach(p -> p.promise.tryFail("closed"));
    pending.clear();
    DatagramSocket s = socket;
    socket = null;
    return s == null ? Future.succeededFuture() : s.close();
  }

  private Future<Buffer> exchange(Protocol protocol, int opcode, Buffer request, long[] scheduleMs) {
    return exchange(protocol, opcode, request, scheduleMs, null, 0);
  }

  /**
   * Sends {@code request} to the gateway and again after each but the last of {@code scheduleMs}, until a
   * reply of {@code protocol}'s {@code opcode} arrives (for a PCP MAP, one with our nonce). A reply that refuses
   * fails the future at once; none within the schedule fails it with "no answer".
   */
  private Future<Buffer> exchange(Protocol protocol, int opcode, Buffer request, long[] scheduleMs, byte[] nonce,
      int internalPort) {
    if (socket == null) {
      return Future.failedFuture("closed");
    }
    Promise<Buffer> promise = Promise.promise();
    Pending p = new Pending(protocol, opcode, nonce, promise);
    pending.add(p);
    send(p, request, scheduleMs, 0);
    return promise.future().andThen(ar -> pending.remove(p));
  }

  /** One try of {@code p}; its named timer, {@code retransmit}, either sends again or gives up. */
  private void send(Pending p, Buffer request, long[] scheduleMs, int attempt) {
    if (p.promise.future().isComplete() || socket == null) {
      return;
    }
    socket.send(request, NatPmpCodec.PORT, gateway);
    long retransmit = scheduleMs[attempt];
    vertx.setTimer(retransmit, id -> {
      if (attempt + 1 < scheduleMs.length) {
        send(p, request, scheduleMs, attempt + 1);
      } else {
        p.promise.tryFail(p.protocol.wireName() + ": no answer from " + gateway);
      }
    });
  }

  private void onPacket(DatagramPacket packet) {
    Buffer data = packet.data();
    if (!packet.sender().hostAddress().equals(gateway) || packet.sender().port() != NatPmpCodec.PORT) {
      counters.dropped("not from the gateway's port " + NatPmpCodec.PORT);
      return;
    }
    for (Pending p : new ArrayList<>(pending)) {
      if (p.answeredBy(data)) {
        p.promise.tryComplete(data);
        return;
      }
    }
    if (NatPmpCodec.responseOpcode(data) == NatPmpCodec.OP_EXTERNAL_ADDRESS) {
      try {
        lateExternal = NatPmpCodec.decodeExternalAddress(data).address();
        answeredLate.add(Protocol.NATPMP);
        return;
      } catch (PortMapReplyException e) {
        // not a usable answer: counted below
      }
    } else if (PcpCodec.responseOpcode(data) == PcpCodec.OP_ANNOUNCE) {
      try {
        PcpCodec.decodeAnnounce(data);
        answeredLate.add(Protocol.PCP);
        return;
      } catch (PortMapReplyException e) {
        // not a usable answer: counted below
      }
    }
    counters.dropped("answers no pending request");
  }

  /** A decode that may reject the reply: a refusal fails the request; a malformed reply is counted too. */
  private <T> T decode(Decoder<T> decoder) {
    try {
      return decoder.decode();
    } catch (PortMapReplyException e) {
      if (e.resultCode() < 0) {
        counters.dropped(e.getMessage());
      }
      throw new IllegalStateException(e.getMessage());
    }
  }

  @FunctionalInterface
  private interface Decoder<T> {
    T decode() throws PortMapReplyException;
  }
}
