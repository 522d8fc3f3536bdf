package io.p2pchat.rendezvous;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.Keys;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlSigning;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A parsed {@code register}: the fields every register carries, and the {@code cookie} and
 * {@code sig} only the second one (the answer to a {@code challenge}) carries.
 *
 * @param cookie null in a first register
 * @param sig null in a first register
 */
record RegisterRequest(String nick, String room, String instance, List<Endpoint> local,
                       List<String> localText, byte[] key, byte[] cookie, byte[] sig) {

  static RegisterRequest parse(JsonObject msg) throws WireException {
    String nick = Control.matching(msg, Control.NICK, Control.NICK_PATTERN);
    String room = Control.matching(msg, Control.ROOM, Control.ROOM_PATTERN);
    String instance = Control.string(msg, Control.INSTANCE);
    List<Endpoint> local = Control.endpoints(msg, Control.LOCAL);
    List<String> localText = Control.endpointStrings(msg, Control.LOCAL);
    byte[] key = Control.bytes(msg, Control.KEY, Keys.KEY_LENGTH);
    boolean signed = msg.containsKey(Control.COOKIE) || msg.containsKey(Control.SIG);
    byte[] cookie = signed ? Control.bytes(msg, Control.COOKIE, AddressCookie.LENGTH) : null;
    byte[] sig = signed ? Control.bytes(msg, Control.SIG, Keys.SIGNATURE_LENGTH) : null;
    return new RegisterRequest(nick, room, instance, local, localText, key, cookie, sig);
  }

  /** This request with only {@code kept} of its host candidates (after its signature was checked over all). */
  RegisterRequest withLocal(List<Endpoint> kept) {
    return new RegisterRequest(nick, room, instance, List.copyOf(kept), localText, key, cookie, sig);
  }

  /**
   * This request with {@code same} as its key: the same bytes (the caller checked), held in the array of
   * the control session that proved them, so that the registration shares it instead of keeping its own.
   */
  RegisterRequest withKey(byte[] same) {
    return new RegisterRequest(nick, room, instance, local, localText, same, cookie, sig);
  }

  boolean signed() {
    return cookie != null;
  }

  /** True if {@code sig} is {@code key}'s signature over this registration and its cookie. */
  boolean signatureValid() {
    return signed() && NodeIdentity.verify(key, ControlSigning.register(Control.PROTOCOL_VERSION, cookie, key,
      nick, room, instance, localText), sig);
  }
}
