package io.p2pchat.control;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.NodeIdentity;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a RESUME costs the rendezvous's control channel ({@link ControlServer}: open the ticket, open the
 * request, derive the session, seal a fresh ticket and the RESUMED), against making the RESUME alone (the
 * client's part, which {@code serverResumes} includes: subtract it). One client resumes again and again
 * with a timestamp 1 ms later each time (the server's clock is passed in, so the freshness window holds).
 * Run: {@code mvn -P jmh -pl bench -am -DskipTests package && java -jar bench/target/benchmarks.jar ResumeBench}
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 2)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
public class ResumeBench {
  private static final InetSocketAddress SOURCE = new InetSocketAddress("192.0.2.10", 40000);

  private final SecureRandom random = new SecureRandom();
  private ControlServer server;
  private TicketWallet.Held held;
  private long clock;

  @Setup
  public void setUp() {
    clock = System.currentTimeMillis();
    TicketKeys keys = TicketKeys.create(clock, random);
    server = new ControlServer(RendezvousIdentity.generate(), new AddressCookie(random), ControlCodec.SUITE, random);
    server.useTicketKeys(() -> keys);
    TicketWallet wallet = new TicketWallet();
    ControlClient client = new ControlClient(NodeIdentity.generate(), "rv:7000", KnownServers.empty(Path.of("unused")),
        ControlCodec.SUITE, random, () -> clock).useTickets(wallet);
    long now = System.nanoTime();
    byte[] out = client.start(now);
    ControlServer.Event e = server.onDatagram(out, SOURCE, clock, now);
    out = ((ControlClient.Event.Send) client.onDatagram(((ControlServer.Event.Reply) e).datagram(), now)).datagram();
    client.onDatagram(((ControlServer.Event.Accepted) server.onDatagram(out, SOURCE, clock, now)).response(), now);
    held = wallet.usable(now);
  }

  private byte[] resume() {
    clock++;
    byte[] nonce = new byte[Resumption.NONCE_SIZE];
    random.nextBytes(nonce);
    byte[] head = ControlCodec.resumeHead(nonce, random.nextInt(), held.ticket());
    byte[] request = ByteBuffer.allocate(ControlCodec.RESUME_PLAIN).putLong(clock).array();
    return ControlCodec.resume(head, Resumption.seal(Resumption.requestKey(held.secret(), nonce, null), head, request));
  }

  /** The client's part: a RESUME made. */
  @Benchmark
  public byte[] makeResume() {
    return resume();
  }

  /** A RESUME made and answered by the server (its session pending, replacing the one before). */
  @Benchmark
  public Object serverResumes() {
    ControlServer.Event e = server.onDatagram(resume(), SOURCE, clock, System.nanoTime());
    if (!(e instanceof ControlServer.Event.Resumed)) {
      throw new IllegalStateException("not resumed: " + e);
    }
    return e;
  }
}
