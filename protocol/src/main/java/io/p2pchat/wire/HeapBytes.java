package io.p2pchat.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A Vert.x {@link Buffer} seen as a byte array and back, without copying, for the per-datagram
 * path: the cipher works on arrays, and a copy of each ~1.2 KB packet in and out of buffers was
 * ~5 KB of garbage per datagram sent and ~4 KB per datagram received, the largest share of a
 * flooding node's young collections.
 *
 * @param array  the array holding the bytes (shared with the buffer: read it, do not keep it)
 * @param offset where the buffer's first byte is in {@code array}
 * @param length the buffer's length
 */
public record HeapBytes(byte[] array, int offset, int length) {

  /** The bytes of {@code buffer}: its own heap array when it has one, else a copy. */
  public static HeapBytes of(Buffer buffer) {
    ByteBuf bytes = ((BufferInternal) buffer).getByteBuf();
    if (bytes.hasArray()) {
      return new HeapBytes(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
    }
    byte[] copy = buffer.getBytes();
    return new HeapBytes(copy, 0, copy.length);
  }

  /** A buffer over {@code array[offset, offset + length)}: the array itself, not a copy. */
  public static Buffer wrap(byte[] array, int offset, int length) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(array, offset, length));
  }
}
