package io.p2pchat.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Look-ups as anyone with netcat makes them: the plain {@code peer N} command, answered from the
 * cluster-wide view, one request in flight per source, sources spread over 127.0.0.x and over the
 * instances. The request is padded with spaces: an unregistered source earns an answer of at most
 * 3 times what it sent.
 */
final class LookupLoad {

  static final int THREADS = 8;
  /** Source ports of the look-up sockets: apart from {@link RegistrationLoad}'s. */
  static final int BASE_PORT = 40_000;
  static final int ANSWER_TIMEOUT_MS = 1_000;
  /** Pads "peer N" so that "nick 127.0.0.x:port" fits the 3x amplification budget. */
  static final int PADDED_LENGTH = 64;

  final AtomicLong answered = new AtomicLong();
  final AtomicLong lost = new AtomicLong();

  /** Sends {@code count} look-ups of peers 1..{@code peers}; returns the seconds it took. */
  double run(List<InetSocketAddress> instances, int count, int peers, long deadlineNanos) throws Exception {
    return Workers.timed(THREADS, deadlineNanos,
        thread -> lookups(thread, instances, count / THREADS, peers, deadlineNanos));
  }

  private void lookups(int thread, List<InetSocketAddress> instances, int count, int peers, long deadline)
      throws IOException {
    byte[] buf = new byte[512];
    for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
      // A new source every 100 requests: many sources, and each far under its rate limit.
      if (i % 100 == 0 || sockets[thread] == null) {
        if (sockets[thread] != null) {
          sockets[thread].close();
        }
        int source = thread * 1_000_000 + i / 100;
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(
            InetAddress.getByName("127.0.0." + (2 + source % RegistrationLoad.SOURCE_HOSTS)), 0));
        s.setSoTimeout(ANSWER_TIMEOUT_MS);
        sockets[thread] = s;
      }
      String request = String.format("%-" + PADDED_LENGTH + "s", "peer " + (1 + i % peers));
      byte[] out = request.getBytes(StandardCharsets.US_ASCII);
      sockets[thread].send(new DatagramPacket(out, out.length, instances.get((thread + i) % instances.size())));
      try {
        sockets[thread].receive(new DatagramPacket(buf, buf.length));
        answered.incrementAndGet();
      } catch (SocketTimeoutException e) {
        lost.incrementAndGet();
      }
    }
    if (sockets[thread] != null) {
      sockets[thread].close();
    }
  }

  private final DatagramSocket[] sockets = new DatagramSocket[THREADS];
}
