package io.p2pchat.rendezvous;

import io.p2pchat.crypto.NodeIdentity;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control channel's handshakes run on a bounded worker queue ({@link HandshakeWorkers}): a flood of
 * initiations that all carry a valid cookie (one client's initiation sent again and again from its own
 * address, as an attacker on the path or the client itself could) never has more than the queue's worth
 * of handshakes queued or running; the rest are refused at once and counted as {@code busy}; each one that
 * ran is answered or dropped and counted (one accepted, the others replays); and a real client registers
 * meanwhile.
 */
class HandshakeFloodTest {

  /** A small queue, so that a flood of a few hundred datagrams surely overruns it. */
  private static final int QUEUE = 4;
  /** Below what the kernel's default receive buffer holds of ~250-byte datagrams. */
  private static final int FLOOD = 300;
  /** Lifted so that the per-source limits (40 per source) do not stop the flood before the queue does. */
  private static final int NO_LIMIT = 1_000_000;
  /** A real client retransmits its initiation; the blocking test client is made anew instead. */
  private static final int REGISTER_ATTEMPTS = 3;

  @Test
  void aFloodOfInitiationsWithValidCookiesIsBoundedRefusedCountedAndARealClientStillRegisters() throws IOException {
    try (RendezvousHarness server = new RendezvousHarness(new JsonObject().put("handshakeQueue", QUEUE)
      .put("handshakeThreads", 1).put("requestsPerSecond", NO_LIMIT).put("requestBurst", NO_LIMIT)
      .put("requestsPerSecondPerHost", NO_LIMIT).put("requestBurstPerHost", NO_LIMIT));
         DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      socket.setSoTimeout(20_000);
      InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
      // HELLO, COOKIE, then the INITIATION with its valid cookie: captured, not answered.
      List<byte[]> sent = new ArrayList<>();
      new TestControl(NodeIdentity.generate(), server.port()).sendInitiation(d -> {
        sent.add(d);
        if (sent.size() == 1) {
          send(socket, d, to); // the HELLO
        }
      }, () -> receive(socket));
      byte[] initiation = sent.get(sent.size() - 1);
      for (int i = 0; i < FLOOD; i++) {
        send(socket, initiation, to);
      }
      RendezvousHarness.awaitTrue("some initiations refused as busy", () -> handshakes(server).getLong("refused") > 0);
      // The whole flood read (the HELLO and every copy) before the snapshot: with a fast handshake (libsodium) the
      // queue empties while the flood's tail is still arriving, and more refusals would land between two reads.
      RendezvousHarness.awaitTrue("the flood received", () -> server.stats().getLong("received") >= FLOOD + 1);
      RendezvousHarness.awaitTrue("no handshake queued or running", () -> handshakes(server).getInteger("inFlight") == 0);
      JsonObject stats = server.stats();
      JsonObject h = stats.getJsonObject("handshakes");
      assertTrue(h.getInteger("mostInFlight") <= QUEUE, "never more than the queue: " + h.encode());
      assertEquals(h.getLong("refused"), server.drops("busy"), "each refusal is counted as a busy drop");
      // Of the flood's handshakes that ran (all done now), one made the session and the others were replays of
      // its message 1, each dropped and counted.
      assertEquals(h.getLong("submitted") - 1, stats.getJsonObject("drops").getLong("replayed", 0L), h.encode());
      registerRetrying(server);
      assertEquals(1, server.stats().getInteger("clients"), "a real client registers");
      RendezvousHarness.awaitTrue("no handshake queued or running", () -> handshakes(server).getInteger("inFlight") == 0);
      stats = server.stats();
      long drops = stats.getJsonObject("drops").getLong("total");
      assertEquals(stats.getLong("received"), stats.getLong("answered") + stats.getLong("handled") + drops,
        "every datagram answered, handled or dropped, the deferred ones included: " + stats.encode());
    }
  }

  /**
   * Registers a client as a real one would: its initiation may still meet a full queue (the tail of the flood)
   * and be refused, and a real client sends it again on its retransmission schedule; the test client
   * does not retransmit, so a new one tries again.
   */
  private static void registerRetrying(RendezvousHarness server) {
    AssertionError last = null;
    for (int attempt = 0; attempt < REGISTER_ATTEMPTS; attempt++) {
      try (UdpClient alice = UdpClient.registered(server.port(), "alice", "lobby")) {
        return;
      } catch (AssertionError e) {
        last = e;
      }
    }
    throw last;
  }

  private static JsonObject handshakes(RendezvousHarness server) {
    return server.stats().getJsonObject("handshakes");
  }

  private static void send(DatagramSocket socket, byte[] data, InetSocketAddress to) {
    try {
      socket.send(new DatagramPacket(data, data.length, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] receive(DatagramSocket socket) {
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Arrays.copyOf(buf, p.getLength());
  }
}
