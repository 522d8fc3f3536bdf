package io.p2pchat.punch;

import io.p2pchat.wire.Endpoint;
import io.vertx.core.buffer.Buffer;

/** A {@link PeerSession.Host} that ignores everything: tests override what they watch. */
abstract class SilentHost implements PeerSession.Host {

  @Override
  public void sendPacket(PeerSession session, Endpoint to, Buffer packet) {
  }

  @Override
  public void sendPunch(PeerSession session, Endpoint to, long txId) {
  }

  @Override
  public void pathChanged(PeerSession session, PathState state, Endpoint address, String why) {
  }

  @Override
  public void pathLost(PeerSession session) {
  }

  @Override
  public void punchFailed(PeerSession session, int candidates, boolean relay) {
  }

  @Override
  public void received(PeerSession session, byte[] message) {
  }

  @Override
  public void delivered(PeerSession session, OutboundChat chat) {
  }

  @Override
  public void failed(PeerSession session, OutboundChat chat, String reason) {
  }

  @Override
  public void retransmitted(PeerSession session) {
  }

  @Override
  public void rttSampled(PeerSession session, long sampleNanos) {
  }

  @Override
  public void secured(PeerSession session) {
  }

  @Override
  public void handshakeFailed(PeerSession session, String why) {
  }
}
