package io.p2pchat.crypto;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DATA packet crypto cost per suite: one ~1100-byte packet (a full datagram's frames) sealed with
 * a 16-byte header as associated data, and opened again, exactly as PunchVerticle will do it.
 * Run: {@code mvn -P jmh -pl bench -am -DskipTests package && java -jar bench/target/benchmarks.jar TransportCipherBench}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class TransportCipherBench {
  /** A full DATA body: 1176-byte peer packet - 16 header - 16 tag, rounded down. */
  private static final int PAYLOAD = 1100;
  private static final int HEADER = 16;
  private static final long SEED = 1;

  @Param({"CHACHA20_POLY1305", "AES_GCM"})
  public CipherSuite suite;

  private TransportCipher send;
  private TransportCipher receive;
  private final byte[] header = new byte[HEADER];
  private final byte[] plain = new byte[PAYLOAD];
  private final byte[] sealed = new byte[PAYLOAD + TransportCipher.TAG_LENGTH];
  private final byte[] opened = new byte[PAYLOAD];
  private long counter;

  @Setup
  public void setup() {
    Random rnd = new Random(SEED);
    byte[] key = new byte[CipherSuite.KEY_LENGTH];
    rnd.nextBytes(key);
    rnd.nextBytes(plain);
    rnd.nextBytes(header);
    send = TransportCipher.of(suite, key);
    receive = TransportCipher.of(suite, key);
  }

  /** Seal only: the sender's cost per packet. */
  @Benchmark
  public int encrypt() {
    return send.encrypt(counter++, header, 0, header.length, plain, 0, PAYLOAD, sealed, 0);
  }

  /** Seal then open: both ends' cost per packet. */
  @Benchmark
  public int encryptDecrypt() throws AEADBadTagException {
    long n = counter++;
    int len = send.encrypt(n, header, 0, header.length, plain, 0, PAYLOAD, sealed, 0);
    return receive.decrypt(n, header, 0, header.length, sealed, 0, len, opened, 0);
  }
}
