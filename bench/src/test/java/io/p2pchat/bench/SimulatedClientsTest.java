package io.p2pchat.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.rendezvous.RendezvousOptions;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator of {@code bench rendezvous} against a real rendezvous (in this JVM, port 0): 2,000
 * simulated clients from 20 loopback addresses register over the sealed control channel, each at its
 * own source {@code ip:port}, keep alive, and are found by the plain {@code peer N} look-up at the
 * address they registered from. A smoke test of the generator, not a timed one.
 */
class SimulatedClientsTest {

  private static final int CLIENTS = 2_000;
  private static final int HOSTS = 20;
  /** Apart from the bench's own source ports (20000 up), so a bench running meanwhile does not collide. */
  private static final int BASE_PORT = 27_000;
  private static final int THREADS = 4;
  private static final long TIMEOUT_MINUTES = 10;

  private Vertx vertx;
  private RendezvousVerticle rendezvous;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    rendezvous = new RendezvousVerticle();
    JsonObject config = RendezvousBench.instanceConfig(CLIENTS, CLIENTS)
        .put("host", "127.0.0.1").put("port", 0).put("logDir", "target/test-logs")
        .put("tls", new JsonObject().put("port", RendezvousOptions.TLS_OFF)).put("mailbox", false);
    vertx.deployVerticle(rendezvous, new DeploymentOptions().setConfig(config))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void twoThousandClientsFromTwentyAddressesRegisterKeepAliveAndAreLookedUp() throws Exception {
    InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), rendezvous.port());
    SourceAddresses sources = new SourceAddresses(ThreadLocalRandom.current().nextInt(SourceAddresses.MAX_HOSTS - HOSTS), HOSTS, BASE_PORT);
    SimulatedClients clients = new SimulatedClients(CLIENTS, sources, new InetSocketAddress[] {server}, "t");
    assertArrayEquals(clients.identity(7).signingPublicKey(), clients.identity(7).signingPublicKey(),
        "a client's identity is derived again the same");

    Set<InetSocketAddress> distinct = ConcurrentHashMap.newKeySet();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
    Workers.timed(THREADS, deadline, t -> {
      for (int i = t; i < CLIENTS; i += THREADS) {
        distinct.add(sources.of(i));
        if (!clients.register(i, 0)) {
          throw new AssertionError("client " + i + " not registered; the rendezvous's stats: " + stats());
        }
      }
    });
    assertEquals(CLIENTS, distinct.size(), "each client its own source ip:port");
    assertEquals(HOSTS, distinct.stream().map(InetSocketAddress::getAddress).distinct().count());
    assertEquals(CLIENTS, stats().getInteger("clients"), "the rendezvous holds every registration");

    boolean[] rehandshook = new boolean[1];
    for (int i = 0; i < CLIENTS; i += 97) {
      assertTrue(clients.keepAlive(i, rehandshook), "client " + i + "'s sealed keep-alive acknowledged");
    }

    // The lobby's clients (0..3), each found at the address it registered from.
    Set<String> answers = new HashSet<>();
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      s.setSoTimeout(5_000);
      for (int n = 1; n <= SimulatedClients.LOBBY_SIZE; n++) {
        byte[] out = String.format("%-" + LookupLoad.PADDED_LENGTH + "s", "peer " + n).getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(out, out.length, server));
        DatagramPacket in = new DatagramPacket(new byte[512], 512);
        s.receive(in);
        answers.add(new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8).strip());
      }
    }
    for (int i = 0; i < SimulatedClients.LOBBY_SIZE; i++) {
      InetSocketAddress at = sources.of(i);
      String expected = clients.nick(i) + " " + at.getAddress().getHostAddress() + ":" + at.getPort();
      assertTrue(answers.contains(expected), "look-up answers " + expected + ": " + answers);
    }
  }

  private JsonObject stats() throws Exception {
    return vertx.eventBus().<JsonObject>request("p2pchat.rendezvous.stats", null)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).body();
  }
}
