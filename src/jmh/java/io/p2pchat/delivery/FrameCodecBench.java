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
 * A DATA packet of 10 MSG frames of 100 bytes plus an ACK: encode, decode, and the sender's ACK
 * processing for such a packet's worth of fragments. One op = one packet (10 messages).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBench {

  private static final int MESSAGES_PER_PACKET = 10;
  private static final int MESSAGE_BYTES = 100;

  private final byte[] payload = new byte[MESSAGE_BYTES];
  private final AckFrame ack = new AckFrame(1000, 250, List.of(new SeqRange(1002, 1010), new SeqRange(1012, 1020)));
  private Buffer packet;
  private long seq;
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
    Buffer out = Buffer.buffer(DeliveryOptions.DEFAULT_PACKET_FRAME_BUDGET);
    send.writeFrames(new BufferFrameSink(out, DeliveryOptions.DEFAULT_PACKET_FRAME_BUDGET), now);
    now += 1000;
    send.onAck(new AckFrame(seq, 0, List.of()), now);
    bh.consume(out);
  }
}
