package io.p2pchat.control;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;

/**
 * Protocol 1's cleartext control messages, as an off-path spoofer of the rendezvous's address would
 * forge them for a victim (wrap each with {@code io.p2pchat.wire.ControlCodec.encode} for the
 * {@code 0xD7} CONTROL packet on the wire): a departure and an introduction of a peer the victim
 * knows, an introduction of a stranger, and a registration answer. Shared by
 * {@code SealedControlTest} (loopback, a tap) and the NAT lab's {@code ForgedControlIT} (raw socket).
 */
public final class CleartextForgeries {

  private CleartextForgeries() {}

  /**
   * {@code gone} and {@code introduce} for {@code known}, {@code introduce} for {@code stranger},
   * {@code registered} for {@code victim}; every address in them is {@code address} ({@code ip:port}).
   */
  public static List<JsonObject> forms(String known, String stranger, String victim, String address) {
    JsonObject peer = new JsonObject().put(Control.NICK, known).put("instance", "forged")
      .put(Control.RELAY_ID, 7).put(Control.LOCAL, new JsonArray().add(address))
      .put(Control.PUBLIC, address).put(Control.KEY, Control.base64(new byte[32]));
    String secret = Base64.getEncoder().encodeToString(new byte[16]);
    return List.of(
      Control.of(ControlType.GONE).put(Control.NICK, known),
      Control.of(ControlType.INTRODUCE).put(Control.INTRO_ID, "1").put(Control.SECRET, secret).put(Control.PEER, peer),
      Control.of(ControlType.INTRODUCE).put(Control.INTRO_ID, "2").put(Control.SECRET, secret)
        .put(Control.PEER, peer.copy().put(Control.NICK, stranger)),
      Control.of(ControlType.REGISTERED).put(Control.NICK, victim).put(Control.ROOM, "x").put(Control.PUBLIC, address)
        .put(Control.RELAY_ID, 1).put(Control.TTL, 30));
  }
}
