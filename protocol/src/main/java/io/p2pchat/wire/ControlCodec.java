package io.p2pchat.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * CONTROL packets: the header, then one UTF-8 JSON object whose {@code t} names a
 * {@link ControlType}. Field names and value rules live in {@link Control}.
 */
public final class ControlCodec {

  private ControlCodec() {
  }

  public static Buffer encode(JsonObject message, long counter) {
    Buffer packet = PacketCodec.header(PacketType.CONTROL, 0, counter).appendBuffer(message.toBuffer());
    if (packet.length() > PacketCodec.MAX_DATAGRAM) {
      throw new IllegalStateException("BUG: control message of " + packet.length() + " bytes");
    }
    return packet;
  }

  /** The JSON object of a CONTROL packet whose header was already decoded; {@code t} is checked. */
  public static JsonObject decode(Buffer datagram) throws WireException {
    return decodeBody(datagram.slice(PacketCodec.HEADER_SIZE, datagram.length()));
  }

  /**
   * A control message's JSON object without a packet header, as the sealed control channel carries it
   * ({@code io.p2pchat.control.ControlSession}); {@code t} is checked.
   */
  public static JsonObject decodeBody(Buffer body) throws WireException {
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new WireException(DropReason.MALFORMED, "control body is not a JSON object");
    }
    Object t = json.getValue(Control.TYPE);
    if (!(t instanceof String) || ControlType.of((String) t) == null) {
      throw new WireException(DropReason.UNKNOWN_TYPE, "control type " + (t instanceof String ? t : "missing"));
    }
    return json;
  }
}
