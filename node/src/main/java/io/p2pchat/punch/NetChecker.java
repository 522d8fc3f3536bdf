package io.p2pchat.punch;

import io.p2pchat.common.NodeLog;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StunCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs the netcheck ({@link NetCheck} holds its state): STUN Binding requests from our socket to
 * the rendezvous and every configured STUN server, answers collected for {@link #WAIT_MS}, the
 * mapping logged when it is news and kept so introductions know whether punching can work from
 * here. Serves the {@code netcheck} request and runs once by itself after the first registration.
 * Lives on PunchVerticle's event loop only.
 */
final class NetChecker {

  /** How long a netcheck waits for STUN answers: a few RTTs to any server worth asking. */
  static final long WAIT_MS = 1500;
  /** Sources needed to tell how the NAT maps: one mapped address says nothing about the others. */
  private static final int MIN_SOURCES = 2;

  private final Vertx vertx;
  private final NodeLog log;
  private final DatagramSender sender;
  private final List<Endpoint> sources;
  private final SecureRandom random = new SecureRandom();
  private final NetCheck netCheck = new NetCheck();
  private NetCheck.Mapping knownMapping = NetCheck.Mapping.UNKNOWN;

  /**
   * @param sources the STUN sources to ask, the rendezvous first
   */
  NetChecker(Vertx vertx, NodeLog log, DatagramSender sender, List<Endpoint> sources) {
    this.vertx = vertx;
    this.log = log;
    this.sender = sender;
    this.sources = List.copyOf(sources);
  }

  /** True once a netcheck found our NAT mapping per destination: peers should use the relay at once. */
  boolean perDestination() {
    return knownMapping == NetCheck.Mapping.PER_DESTINATION;
  }

  /** Runs a netcheck if none has told the mapping yet and there are enough sources to tell it. */
  void runIfUnknown() {
    if (knownMapping == NetCheck.Mapping.UNKNOWN && sources.size() >= MIN_SOURCES) {
      run();
    }
  }

  /**
   * STUN Binding requests to every source, answers collected for {@link #WAIT_MS}: how our NAT
   * maps, published in the log and returned.
   */
  Future<JsonObject> run() {
    netCheck.reset();
    for (Endpoint source : sources) {
      byte[] transactionId = new byte[StunCodec.TRANSACTION_ID_SIZE];
      random.nextBytes(transactionId);
      netCheck.sent(HexFormat.of().formatHex(transactionId), source);
      sender.send(StunCodec.bindingRequest(transactionId), source);
    }
    Promise<JsonObject> result = Promise.promise();
    vertx.setTimer(WAIT_MS, t -> {
      NetCheck.Mapping mapping = netCheck.mapping();
      if (mapping != NetCheck.Mapping.UNKNOWN && mapping != knownMapping) {
        log.info("netcheck: our NAT maps {} (mapped {}){}", mapping == NetCheck.Mapping.PER_DESTINATION
            ? "per destination" : "per endpoint", netCheck.mappedAddresses(),
          mapping == NetCheck.Mapping.PER_DESTINATION ? ": peers will use the relay at once" : "");
        knownMapping = mapping;
      }
      result.complete(netCheck.toJson().put("sourcesAsked", sources.size()));
    });
    return result.future();
  }

  /** A STUN datagram: the answer to one of our requests, or a drop. */
  void onStun(Endpoint from, Buffer data) throws WireException {
    if (!sources.contains(from)) {
      throw new WireException(DropReason.UNKNOWN_KIND, "STUN from a source we did not ask");
    }
    Endpoint mapped = Endpoint.of(SocketAddress.inetSocketAddress(StunCodec.parseBindingResponse(data)));
    if (!netCheck.answered(HexFormat.of().formatHex(StunCodec.transactionId(data)), from, mapped)) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "STUN answer to no request of ours");
    }
  }
}
