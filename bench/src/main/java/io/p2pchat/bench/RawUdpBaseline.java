package io.p2pchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What loopback UDP itself does on this machine, as the yardstick for the node's figures: two
 * threads with plain JDK DatagramChannels, fixed-size datagrams, the sender keeping at most
 * {@link #WINDOW} unacknowledged and the receiver acknowledging every {@link #ACK_EVERY}, so none is
 * dropped and the figure is a sustained rate, not a burst into a buffer.
 */
final class RawUdpBaseline {

  /** Datagrams in flight: small enough that the socket buffers never overflow. */
  static final int WINDOW = 128;
  /** The receiver acknowledges every this many datagrams (and the last one). */
  static final int ACK_EVERY = 32;
  /** A stall this long means a datagram was lost: the run fails rather than hangs. */
  private static final long STALL_MS = 2_000;
  private static final long JOIN_SECONDS = 120;

  private RawUdpBaseline() {
  }

  /** Datagrams per second for {@code count} datagrams of {@code size} bytes after {@code warmup} of them. */
  static double run(int size, long warmup, long count) throws IOException, InterruptedException {
    once(size, warmup);
    return once(size, count);
  }

  private static double once(int size, long count) throws IOException, InterruptedException {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
         DatagramChannel sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      SocketAddress to = receiver.getLocalAddress();
      Future<?> receiving = threads.submit(() -> {
        receive(receiver, size, count);
        return null;
      });
      Future<Long> sending = threads.submit(() -> send(sender, to, size, count));
      long nanos = sending.get(JOIN_SECONDS, TimeUnit.SECONDS);
      receiving.get(JOIN_SECONDS, TimeUnit.SECONDS);
      return count / (nanos / 1e9);
    } catch (ExecutionException e) {
      throw new BenchException("raw UDP baseline failed: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      throw new BenchException("raw UDP baseline did not finish within " + JOIN_SECONDS + " s");
    } finally {
      threads.shutdownNow();
    }
  }

  /** Sends {@code count} datagrams within the window; returns the nanoseconds until the last ack. */
  private static long send(DatagramChannel channel, SocketAddress to, int size, long count) throws IOException {
    ByteBuffer out = ByteBuffer.allocateDirect(size);
    ByteBuffer ack = ByteBuffer.allocateDirect(Long.BYTES);
    channel.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      channel.register(selector, SelectionKey.OP_READ);
      long sent = 0;
      long acked = 0;
      long start = System.nanoTime();
      while (acked < count) {
        while (sent < count && sent - acked < WINDOW) {
          out.clear();
          out.putLong(0, sent);
          if (channel.send(out, to) == 0) {
            break;
          }
          sent++;
        }
        if (selector.select(STALL_MS) == 0) {
          throw new IOException("no ack for " + STALL_MS + " ms at " + acked + " of " + count + ": a datagram was lost");
        }
        selector.selectedKeys().clear();
        ack.clear();
        while (channel.receive(ack) != null) {
          acked = Math.max(acked, ack.getLong(0));
          ack.clear();
        }
      }
      return System.nanoTime() - start;
    }
  }

  private static void receive(DatagramChannel channel, int size, long count) throws IOException {
    ByteBuffer in = ByteBuffer.allocateDirect(size);
    ByteBuffer ack = ByteBuffer.allocateDirect(Long.BYTES);
    channel.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      channel.register(selector, SelectionKey.OP_READ);
      long received = 0;
      while (received < count) {
        if (selector.select(STALL_MS) == 0) {
          throw new IOException("nothing received for " + STALL_MS + " ms at " + received + " of " + count);
        }
        selector.selectedKeys().clear();
        SocketAddress from;
        in.clear();
        while ((from = channel.receive(in)) != null) {
          received++;
          if (received % ACK_EVERY == 0 || received == count) {
            ack.clear();
            ack.putLong(0, received);
            channel.send(ack, from);
          }
          in.clear();
        }
      }
    }
  }
}
