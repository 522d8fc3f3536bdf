package io.p2pchat.punch;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes records between verticles of one node by reference: they never leave the JVM, so they
 * are never serialized (the hot path of every chat message).
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
    throw new UnsupportedOperationException(type.getSimpleName() + " is local to one node");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type.getSimpleName() + " is local to one node");
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
