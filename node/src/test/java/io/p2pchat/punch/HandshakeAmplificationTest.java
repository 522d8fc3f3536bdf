package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.delivery.DeliveryOptions;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.HandshakeCodec;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, "message 2 only to a validated source": someone who spoofs a victim's address sends a
 * node's session handshake messages 1 in the victim's name, over real UDP sockets on loopback. The
 * victim must receive at most 3 times the bytes sent in its name (RFC 9000 section 8.1): padded
 * messages 1 earn a message 2 within that, truncated (unpadded) ones earn nothing and are counted.
 */
class HandshakeAmplificationTest {

  /** Forged messages 1 of each kind: enough that one over-answer shows in the totals. */
  private static final int FORGED = 20;
  /** The sender index of the last forged message: its answer tells the victim everything arrived. */
  private static final int LAST = 0x4C415354;
  private static final long TIMEOUT_S = 30;
  private static final String LOOPBACK = "127.0.0.1";
  private static final byte[] PROLOGUE = "p2pchat test room".getBytes(StandardCharsets.UTF_8);
  private static final long NEVER_NANOS = TimeUnit.HOURS.toNanos(1);
  /** bob's index for alice: what the forger learned by watching the pair. */
  private static final int BOB_INDEX = 0x0B0B;
  /**
   * The introduction's secret. The forger knows it (a member of the room, the worst case for this
   * bound); messages 1 under another key are dropped before any answer.
   */
  private static final byte[] SECRET = "an introduction's 32-byte secret".getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  @Test
  void forgedMessages1EarnTheSpoofedSourceAtMostThreeTimesTheirBytes() throws Exception {
    DatagramSocket node = await(vertx.createDatagramSocket().listen(0, LOOPBACK));
    DatagramSocket victim = await(vertx.createDatagramSocket().listen(0, LOOPBACK));
    Responder bob = new Responder(node);
    // The session lives on the node socket's event loop, as on PunchVerticle's.
    node.handler(packet -> bob.receive(packet.data(), Endpoint.of(packet.sender())));

    AtomicLong bytesToVictim = new AtomicLong();
    CompletableFuture<Void> lastAnswered = new CompletableFuture<>();
    victim.handler(packet -> {
      bytesToVictim.addAndGet(packet.data().length());
      try {
        if (PacketCodec.decodeHeader(packet.data()).sessionId() == LAST) {
          lastAnswered.complete(null);
        }
      } catch (WireException e) {
        lastAnswered.completeExceptionally(e);
      }
    });

    List<Buffer> forged = new ArrayList<>();
    for (int i = 1; i <= FORGED; i++) {
      byte[] message1 = message1();
      forged.add(HandshakeCodec.encode(BOB_INDEX, i, 1, i, message1, SECRET));
      // The message 1 of a node that does not pad (protocol 2 before issue 15): 32 bytes of e.
      forged.add(HandshakeCodec.encode(BOB_INDEX, i, 1, FORGED + i, Arrays.copyOf(message1, Long.BYTES * 4), SECRET));
      // From someone who does not know the introduction's secret: dropped before any work.
      forged.add(HandshakeCodec.encode(BOB_INDEX, i, 1, 2 * FORGED + i, message1, new byte[SECRET.length]));
    }
    forged.add(HandshakeCodec.encode(BOB_INDEX, FORGED + 1, 1, LAST, message1(), SECRET));
    long bytesFromVictim = 0;
    int nodePort = node.localAddress().port();
    for (Buffer datagram : forged) {
      await(victim.send(datagram, nodePort, LOOPBACK));
      bytesFromVictim += datagram.length();
    }
    lastAnswered.get(TIMEOUT_S, TimeUnit.SECONDS);

    assertTrue(bytesToVictim.get() <= 3 * bytesFromVictim,
      bytesToVictim.get() + " bytes to the victim for " + bytesFromVictim + " sent in its name");
    // Answers leave in order: the last one means every earlier datagram was handled.
    assertEquals(FORGED, bob.amplificationDrops.get(), "every unpadded message 1 dropped and counted");
    assertEquals(FORGED, bob.unauthenticatedDrops.get(), "every message 1 without the secret's MAC dropped and counted");
  }

  private static byte[] message1() throws Exception {
    return new SecureChannel(NodeIdentity.generate(), "alice", "bob", PROLOGUE, CipherSuite.CHACHA20_POLY1305,
      true, payload -> true).start().bytes();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /**
   * bob's session for alice behind a real socket: handshake packets in, what the session sends out
   * through the socket, drops counted by reason (PunchVerticle's job, reduced to the handshake).
   */
  private final class Responder extends SilentHost {
    private final DatagramSocket socket;
    private final PeerSession session;
    final AtomicInteger amplificationDrops = new AtomicInteger();
    final AtomicInteger unauthenticatedDrops = new AtomicInteger();

    Responder(DatagramSocket socket) {
      this.socket = socket;
      NodeIdentity identity = NodeIdentity.generate();
      this.session = new PeerSession("alice", BOB_INDEX, this, new DeliveryOptions(),
        () -> new SecureChannel(identity, "bob", "alice", PROLOGUE, CipherSuite.CHACHA20_POLY1305, false,
          payload -> true), NEVER_NANOS, NEVER_NANOS, Set.of());
      // Introduced with no candidates: nothing to punch, only handshakes to answer.
      session.introduce(1, SECRET, "alice-1", 1, List.of(), false, false, System.nanoTime());
    }

    void receive(Buffer datagram, Endpoint from) {
      try {
        session.onHandshake(HandshakeCodec.decode(datagram), from, System.nanoTime());
      } catch (WireException e) {
        if (e.reason() == DropReason.AMPLIFICATION) {
          amplificationDrops.incrementAndGet();
        } else if (e.reason() == DropReason.UNAUTHENTICATED) {
          unauthenticatedDrops.incrementAndGet();
        }
      }
    }

    @Override
    public void sendPacket(PeerSession from, Endpoint to, Buffer packet) {
      socket.send(packet, to.port(), to.host());
    }
  }
}
