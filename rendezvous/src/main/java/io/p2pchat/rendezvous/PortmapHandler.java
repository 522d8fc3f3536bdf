package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StreamEndpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;
import java.util.function.BiConsumer;

/**
 * {@code portmap {address}}: the public address a registered client's gateway forwards to its socket (NAT-PMP,
 * PCP or UPnP-IGD; docs/PROTOCOL.md "Candidates"). Taken only on the host the client registered from: the
 * mapping is on the client's own gateway, and a client cannot point its peers' probes at a third party's host
 * (no amplification; peers send no more to it than to the public candidate they already probe). Answered
 * {@code portmap-ok {address}} (the client re-sends until it hears that); a new address is stored on the
 * {@link Registration} and the room introduced again with it. Lives on the verticle's event loop.
 */
final class PortmapHandler extends ClientCommandHandler {

  private final NodeLog log;
  /** Introduces the room of a client whose mapped address is news again (Introductions::introduceToRoom). */
  private final BiConsumer<Exchange, Registration> reintroduce;
  /** Mapped addresses taken (new or changed), for {@code stats()}. */
  private long taken;

  PortmapHandler(NodeLog log, Registry registry, Outbox outbox, BiConsumer<Exchange, Registration> reintroduce) {
    super(registry, outbox);
    this.log = log;
    this.reintroduce = reintroduce;
  }

  @Override
  void handle(Exchange ex, JsonObject msg, Registration client) throws WireException {
    Endpoint mapped = Control.endpoint(msg, Control.ADDRESS);
    if (StreamEndpoint.is(client.address) || StreamEndpoint.is(mapped)
        || !mapped.host().equals(client.address.host())) {
      throw new WireException(DropReason.MALFORMED, "portmap " + mapped + " of " + client.nick
        + " is not on its registered host " + client.address);
    }
    // Told again (its portmap-ok was lost), or the address peers have already: only answered.
    boolean news = !mapped.equals(client.portmap()) && !mapped.equals(client.address);
    if (news) {
      client.portmap(mapped);
      taken++;
      log.info("{} mapped at {} by its gateway (registered at {})", client.nick, mapped, client.address);
    }
    outbox.answer(ex, Control.of(ControlType.PORTMAP_OK).put(Control.ADDRESS, mapped.toString()));
    if (news) {
      reintroduce.accept(ex, client);
    }
  }

  /** Mapped addresses taken (new or changed), for {@code stats()}. */
  long taken() {
    return taken;
  }
}
