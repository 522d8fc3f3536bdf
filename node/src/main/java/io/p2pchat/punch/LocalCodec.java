package io.p2pchat.punch;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes records between verticles of one node by reference: they never leave the JVM, so they
 * are never serialized (the hot path of every chat message). They are sent with local-only
 * delivery to {@code localConsumer}s ({@link TurnBatch}), so a clustered event bus never asks this
 * codec to encode one: if it does, that is a bug, said so.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final Class<T> type;

  private LocalCodec(Class<T> type) {
    this.type = type;
  }

  /** Registers the codec for {@code type} once per Vert.x instance (several nodes may share one). */
  public static <T> void register(Vertx vertx, Class<T> type) {
    synchronized (LocalCodec.class) {
      try {
        vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type));
      } catch (IllegalStateException alreadyRegistered) {
        // Another node of this Vert.x instance registered it first: the same codec serves both.
      }
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw notLocal();
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw notLocal();
  }

  private IllegalStateException notLocal() {
    return new IllegalStateException("BUG: " + type.getSimpleName()
      + " is local to one node: send it with local-only delivery to a localConsumer");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return "p2pchat-local-" + type.getName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
