package io.p2pchat.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The datagram path's views between buffers and arrays: the right bytes, and no copies. */
class HeapBytesTest {

  @Test
  void aSliceIsSeenInItsOwnArrayAtItsOffset() {
    Buffer datagram = Buffer.buffer("relay-id" + "packet body");
    HeapBytes body = HeapBytes.of(datagram.slice(8, datagram.length()));
    assertEquals(11, body.length());
    assertArrayEquals("packet body".getBytes(), Arrays.copyOfRange(body.array(), body.offset(), body.offset() + body.length()));
    assertSame(HeapBytes.of(datagram).array(), body.array(), "the slice's bytes are the datagram's, not a copy");
  }

  @Test
  void aWrappedArrayIsTheBufferNotACopy() {
    byte[] packet = "header+sealed".getBytes();
    Buffer wrapped = HeapBytes.wrap(packet, 7, 6);
    assertEquals("sealed", wrapped.toString());
    packet[7] = 'S';
    assertEquals("Sealed", wrapped.toString());
    assertSame(packet, HeapBytes.of(wrapped).array());
  }
}
