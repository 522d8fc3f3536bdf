package io.p2pchat.rendezvous;

import io.p2pchat.wire.StunCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;

import java.net.InetSocketAddress;

/** STUN Binding requests (RFC 8489): answered with the sender's address as the rendezvous sees it. */
final class StunResponder implements DatagramHandler {

  private final Outbox outbox;

  StunResponder(Outbox outbox) {
    this.outbox = outbox;
  }

  @Override
  public void handle(Exchange ex, Buffer data) throws WireException {
    outbox.answer(ex, StunCodec.bindingResponse(StunCodec.parseBindingRequest(data),
      ex.from.toInetSocketAddress()), "stun binding response");
  }
}
