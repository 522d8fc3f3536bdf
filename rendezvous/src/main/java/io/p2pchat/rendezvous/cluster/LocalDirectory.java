package io.p2pchat.rendezvous.cluster;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.Collection;

/** A rendezvous alone: nothing to share, nobody to tell. */
final class LocalDirectory implements RendezvousDirectory {

  static final LocalDirectory INSTANCE = new LocalDirectory();

  /** The owner of every registration of an instance alone. */
  private static final String SELF = "local";

  private LocalDirectory() {
  }

  @Override
  public boolean clustered() {
    return false;
  }

  @Override
  public String self() {
    return SELF;
  }

  @Override
  public Future<Void> claim(Member member) {
    return Future.succeededFuture();
  }

  @Override
  public void announce(Member member) {
  }

  @Override
  public void depart(Member member) {
  }

  @Override
  public void recover(String nick) {
  }

  @Override
  public void refresh(Collection<Member> owned) {
  }

  @Override
  public void deliver(String owner, String nick, JsonObject control) {
    throw new IllegalStateException("BUG: no other instance to deliver to (owner " + owner + ")");
  }

  @Override
  public void relay(String owner, long targetRelayId, Buffer frame) {
    throw new IllegalStateException("BUG: no other instance to relay to (owner " + owner + ")");
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
