package io.p2pchat.wire;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A chat message's payload, once per message sent ({@code encode}, from the text's UTF-8 as ChatVerticle has it)
 * and once per message received ({@code decode}): a 100-byte ASCII line with one of our ids. One op = one message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChatPayloadBench {

  private final String id = "5f1c0a9e3b7d-123456";
  private final byte[] text = ("T123456 " + "x".repeat(92)).getBytes(StandardCharsets.UTF_8);
  private final byte[] encoded = ChatPayload.encode(true, 1_700_000_000_000L, id, text);
  private long ts = 1_700_000_000_000L;

  @Benchmark
  public byte[] encode() {
    return ChatPayload.encode(true, ts++, id, text);
  }

  @Benchmark
  public ChatPayload decode() throws WireException {
    return ChatPayload.decode(encoded);
  }
}
