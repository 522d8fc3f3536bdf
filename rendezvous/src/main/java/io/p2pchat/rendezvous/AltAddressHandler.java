package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.StreamEndpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;

/**
 * A registered client's address of its other family (docs/PROTOCOL.md, "Registering over both families"),
 * validated the way a registration's address is, by a stateless cookie the client can only have read at
 * that address:
 * <pre>
 *   client (other family)  ── alt, sealed in its session, padded ─────────────▶ rendezvous (binds nothing)
 *   client (other family)  ◀── alt-challenge {address, cookie(address)}, sealed ── (no bigger than the alt)
 *   client (registered)    ── alt-confirm {address, cookie} ───────────────────▶ cookie checked for address
 *   client (registered)    ◀── alt-ok {address}; the room is introduced again with it as {@code alt}
 * </pre>
 * The session never moves to the other address (it is a second reflexive candidate, not a roam), and
 * nothing is stored before the confirm: an address whose cookie does not verify is dropped and counted
 * ({@link DropReason#ALT_UNVALIDATED}) and peers never hear of it. The cookie's secret is this handler's
 * own, so a registration's cookie is no alt cookie. Lives on the verticle's event loop.
 */
final class AltAddressHandler extends ClientCommandHandler {

  /** Its own secret: cookies of {@link RegisterHandler} never verify here, nor these there. */
  private final AddressCookie cookies = new AddressCookie();
  private final Introductions introductions;
  private final NodeLog log;
  private long validated;

  AltAddressHandler(Registry registry, Introductions introductions, Outbox outbox, NodeLog log) {
    super(registry, outbox);
    this.introductions = introductions;
    this.log = log;
  }

  /**
   * An {@code alt} opened in the session of {@code key}, from {@code ex.from}: answered there with the
   * cookie of that address, sealed in the same session, no bigger than the alt (the source is unvalidated).
   */
  void onAlt(Exchange ex, byte[] key) throws WireException {
    if (ex.bytesIn < Control.ALT_MIN_DATAGRAM) {
      throw new WireException(DropReason.ALT_UNVALIDATED, "alt of " + ex.bytesIn + " bytes, under "
        + Control.ALT_MIN_DATAGRAM);
    }
    if (StreamEndpoint.is(ex.from)) {
      throw new WireException(DropReason.ALT_UNVALIDATED, "alt over TLS: no UDP address to validate");
    }
    byte[] cookie = cookies.issue(ex.from.toInetSocketAddress(), System.currentTimeMillis());
    outbox.answerIn(ex, key, Control.of(ControlType.ALT_CHALLENGE).put(Control.ADDRESS, ex.from.toString())
      .put(Control.COOKIE, Control.base64(cookie)));
  }

  /** An {@code alt-confirm} from {@code client} at its registered address. */
  @Override
  void handle(Exchange ex, JsonObject msg, Registration client) throws WireException {
    Endpoint alt = Control.endpoint(msg, Control.ADDRESS);
    byte[] cookie = Control.bytes(msg, Control.COOKIE, AddressCookie.LENGTH);
    if (StreamEndpoint.is(alt) || StreamEndpoint.is(client.address) || alt.isIpv6() == client.address.isIpv6()) {
      throw new WireException(DropReason.ALT_UNVALIDATED, "alt " + alt + " of " + client.nick
        + " is not of the other family than " + client.address);
    }
    if (!cookies.verify(cookie, alt.toInetSocketAddress(), System.currentTimeMillis())) {
      throw new WireException(DropReason.ALT_UNVALIDATED, "alt " + alt + " of " + client.nick
        + ": the cookie was not issued to that address");
    }
    outbox.answer(ex, Control.of(ControlType.ALT_OK).put(Control.ADDRESS, alt.toString()));
    if (alt.equals(client.alt())) {
      return; // confirmed again (its alt-ok was lost): the room knows it already
    }
    client.alt(alt);
    validated++;
    log.info("{} also at {} (validated; registered at {})", client.nick, alt, client.address);
    introductions.introduceToRoom(ex, client);
  }

  /** Addresses of the other family validated (new or changed), for {@code stats()}. */
  long validated() {
    return validated;
  }
}
