package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.StreamEndpoint;
import io.p2pchat.wire.RelayCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;

/**
 * RELAY frames: forwards a peer packet between two registered clients of one room, opaque (never
 * parsed nor logged beyond its size) and within the source's relay budget; to a client of another
 * instance through that instance.
 */
final class RelayForwarder implements DatagramHandler {

  private final boolean enabled;
  private final Registry registry;
  private final RendezvousDirectory directory;
  private final Limits limits;
  private final Outbox outbox;
  private final NodeLog log;

  RelayForwarder(boolean enabled, Registry registry, RendezvousDirectory directory, Limits limits, Outbox outbox,
                 NodeLog log) {
    this.enabled = enabled;
    this.registry = registry;
    this.directory = directory;
    this.limits = limits;
    this.outbox = outbox;
    this.log = log;
  }

  /** How a relayed packet reached the rendezvous: a bounded label set for the metrics. */
  enum Transport { UDP, TLS }

  private final EnumCounts<Transport> packets = new EnumCounts<>(Transport.class);
  private final EnumCounts<Transport> bytes = new EnumCounts<>(Transport.class);

  /** Packets relayed since start, by the transport they came in on. */
  EnumCounts<Transport> packets() {
    return packets;
  }

  /** Their bytes, as received. */
  EnumCounts<Transport> bytes() {
    return bytes;
  }

  @Override
  public void handle(Exchange ex, Buffer data) throws WireException {
    long targetId = RelayCodec.relayId(data);
    Registration source = registry.byAddress(ex.from);
    Registration target = registry.byRelayId(targetId);
    if (!enabled) {
      throw new WireException(DropReason.RELAY_REFUSED, "relaying is off");
    }
    if (source == null || target == null || !source.room.equals(target.room)) {
      throw new WireException(DropReason.RELAY_REFUSED, "relay between unregistered or unrelated clients");
    }
    if (target.orphaned()) {
      throw new WireException(DropReason.RELAY_REFUSED, "relay to " + target.nick + ", whose instance left the cluster");
    }
    limits.takeRelay(source, data.length(), System.nanoTime());
    source.lastSeenNanos = System.nanoTime();
    if (target.isLocal()) {
      outbox.forward(target.address, RelayCodec.rewrite(data, source.relayId));
    } else {
      directory.relay(target.owner(), target.relayId, RelayCodec.rewrite(data, source.relayId));
    }
    ex.handled();
    Transport transport = StreamEndpoint.is(ex.from) ? Transport.TLS : Transport.UDP;
    packets.count(transport);
    bytes.add(transport, data.length());
    if (log.isDebugEnabled()) {
      log.debug("relay {} -> {} ({} bytes)", source.nick, target.nick, data.length());
    }
  }
}
