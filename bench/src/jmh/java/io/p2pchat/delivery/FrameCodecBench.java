package io.p2pchat.delivery;

import io.p2pchat.wire.frame.AckFrame;
import io.p2pchat.wire.frame.BufferFrameSink;
import io.p2pchat.wire.frame.Frame;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.FrameException;
import io.p2pchat.wire.frame.MsgFrame;
import io.p2pchat.wire.frame.SeqRange;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A full DATA packet of 100-byte messages plus an ACK: encode, decode, and the sender's offer, write
 * and ACK processing for such a packet's worth of fragments. One op = one packet
 * ({@link #MESSAGES_PER_PACKET} = 9 messages: what fits the 1100-byte frame budget after a 2-range ACK).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBench {

  private static final int MESSAGE_BYTES = 100;
  private static final int ACK_RANGES = 2;
  /** (1100 - 26) / (11 + 100) = 9: the messages a real packet carries next to the ACK. */
  static final int MESSAGES_PER_PACKET = (DeliveryOptions.DEFAULT_PACKET_FRAME_BUDGET - FrameCodec.ackSize(ACK_RANGES))
    / (FrameCodec.MSG_HEADER_BYTES + MESSAGE_BYTES);

  private final byte[] payload = new byte[MESSAGE_BYTES];
  private final AckFrame ack = new AckFrame(1000, 250, List.of(new SeqRange(1002, 1010), new SeqRange(1012, 1020)));
  private Buffer packet;
  private long seq;
  /** Fragments offered to {@link #send}: its stream seqs run 0, 1, 2, … whatever the handles. */
  private long offered;
  private SendStream send;
  private long now;

  @Setup(Level.Iteration)
  public void setUp() {
    packet = Buffer.buffer();
    FrameCodec.encode(packet, ack);
    for (int i = 0; i < MESSAGES_PER_PACKET; i++) {
      FrameCodec.encode(packet, new MsgFrame(2000 + i, 0, 1, payload));
    }
    send = new SendStream(new DeliveryOptions(), new DeliveryListener() {
      @Override public void delivered(long handle) { }
      @Override public void failed(long handle, String reason) { }
      @Override public void windowOpened() { }
    });
    seq = 0;
    offered = 0;
    now = 1;
  }

  @Benchmark
  public Buffer encodePacket() {
    Buffer out = Buffer.buffer(DeliveryOptions.DEFAULT_PACKET_FRAME_BUDGET);
    BufferFrameSink sink = new BufferFrameSink(out, DeliveryOptions.DEFAULT_PACKET_FRAME_BUDGET);
    sink.add(ack);
    for (int i = 0; i < MESSAGES_PER_PACKET; i++) {
      sink.addMsg(seq++, 0, 1, payload, 0, payload.length);
    }
    return out;
  }

  @Benchmark
  public void decodePacket(Blackhole bh) throws FrameException {
    FrameCodec.decode(packet, bh::consume);
  }

  @Benchmark
  public void sendWriteAndAck(Blackhole bh) {
    for (int i = 0; i < MESSAGES_PER_PACKET; i++) {
      send.offer(seq++, payload, now);
    }
    offered += MESSAGES_PER_PACKET;
    Buffer out = Buffer.buffer(DeliveryOptions.DEFAULT_PACKET_FRAME_BUDGET);
    send.writeFrames(new BufferFrameSink(out, DeliveryOptions.DEFAULT_PACKET_FRAME_BUDGET), now);
    now += 1000;
    // Every fragment offered fits the one packet just written, so all of them can be acked.
    send.onAck(new AckFrame(offered, 0, List.of()), now);
    bh.consume(out);
  }
}
