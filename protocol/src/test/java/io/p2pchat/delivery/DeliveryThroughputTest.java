package io.p2pchat.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.p2pchat.wire.frame.BufferFrameSink;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.FrameException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A figure, not a gate: 100-byte messages through encode, decode, reassembly and ACKs, in memory. */
class DeliveryThroughputTest {

  private static final int MESSAGES = 500_000;
  private static final int SIZE = 100;

  private long received;
  private long confirmed;

  @Test
  void hundredByteMessagesPerSecond() throws FrameException {
    DeliveryOptions options = new DeliveryOptions();
    DeliveryListener listener = new DeliveryListener() {
      @Override public void delivered(long handle) { confirmed++; }
      @Override public void failed(long handle, String reason) { throw new AssertionError(reason); }
      @Override public void windowOpened() { }
    };
    PeerDelivery a = new PeerDelivery(options, listener, m -> { });
    PeerDelivery b = new PeerDelivery(options, listener, m -> received++);
    byte[] payload = new byte[SIZE];
    long packets = 0;
    long start = System.nanoTime();
    int offered = 0;
    List<Buffer> toB = new ArrayList<>();
    List<Buffer> toA = new ArrayList<>();
    while (received < MESSAGES) {
      long now = System.nanoTime();
      while (offered < MESSAGES && a.offer(offered, payload, now)) {
        offered++;
      }
      packets += pump(a, now, toB, options);
      for (Buffer p : toB) {
        FrameCodec.decode(p, f -> b.onFrame(f, now));
      }
      toB.clear();
      packets += pump(b, now + options.getAckDelayNanos(), toA, options); // let b's delayed ACK fire
      for (Buffer p : toA) {
        FrameCodec.decode(p, f -> a.onFrame(f, now));
      }
      toA.clear();
    }
    long nanos = System.nanoTime() - start;
    assertEquals(MESSAGES, received);
    System.out.printf("delivery in memory: %d x %d-byte messages in %d ms = %.0f messages/s, %d packets (%.1f msgs/packet)%n",
        MESSAGES, SIZE, nanos / 1_000_000, MESSAGES * 1e9 / nanos, packets, MESSAGES / (double) packets);
  }

  private static int pump(PeerDelivery d, long now, List<Buffer> out, DeliveryOptions options) {
    int n = 0;
    while (d.wantsToSend(now)) {
      Buffer packet = Buffer.buffer(options.getPacketFrameBudget());
      if (!d.writeFrames(new BufferFrameSink(packet, options.getPacketFrameBudget()), now)) {
        break;
      }
      out.add(packet);
      n++;
    }
    return n;
  }
}
