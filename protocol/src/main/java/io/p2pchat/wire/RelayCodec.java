package io.p2pchat.wire;

import io.vertx.core.buffer.Buffer;

/**
 * Relay frames: the header, a relay id, then a whole peer packet byte for byte. From a client the
 * id names the destination; the rendezvous rewrites it to the source's id. Nobody parses the
 * peer packet on the way.
 */
public final class RelayCodec {

  private RelayCodec() {
  }

  /** A relay frame carrying {@code peerPacket} with {@code relayId}. */
  public static Buffer encode(long relayId, Buffer peerPacket) {
    return PacketCodec.header(PacketType.RELAY, 0, 0).appendLong(relayId).appendBuffer(peerPacket);
  }

  /** The relay id of a RELAY packet whose header was already decoded. */
  public static long relayId(Buffer datagram) throws WireException {
    if (datagram.length() < PacketCodec.HEADER_SIZE + PacketCodec.RELAY_ID_SIZE + PacketCodec.HEADER_SIZE) {
      throw new WireException(DropReason.TRUNCATED, "relay frame of " + datagram.length() + " bytes");
    }
    return datagram.getLong(PacketCodec.HEADER_SIZE);
  }

  /** The peer packet inside a RELAY packet, unchanged. */
  public static Buffer inner(Buffer datagram) {
    return datagram.slice(PacketCodec.HEADER_SIZE + PacketCodec.RELAY_ID_SIZE, datagram.length());
  }

  /** The same frame with its relay id replaced (the server's rewrite), without copying twice. */
  public static Buffer rewrite(Buffer datagram, long relayId) {
    Buffer out = datagram.copy();
    out.setLong(PacketCodec.HEADER_SIZE, relayId);
    return out;
  }
}
