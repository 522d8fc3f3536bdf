package io.p2pchat.crypto;

import io.p2pchat.control.ControlClient;
import io.p2pchat.control.ControlServer;
import io.p2pchat.control.ControlSession;
import io.p2pchat.control.KnownServers;
import io.p2pchat.control.RendezvousIdentity;
import io.p2pchat.node.ChatNodeVerticle;
import io.p2pchat.node.NodeOptions;
import io.p2pchat.node.TestNet;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rendezvous and its relay as the enemy: a proxy in front of a real rendezvous rewrites every
 * introduction so punching cannot succeed (all traffic goes through the relay), then flips bits
 * in relayed packets, replays them, and injects random packets in the peers' names. What users
 * see: every message, once, in order, on a relayed path; the nodes count what they dropped.
 *
 * <p>Control is sealed, so the proxy is a hostile rendezvous in its own right: the nodes pin the
 * proxy's key on first use, the proxy opens their control messages and re-seals them toward the real
 * rendezvous in sessions of its own that prove the nodes' identity keys (the test hands it their key
 * files), and rewrites the introductions on the way back.
 */
class HostileRelayTest {

  private static final long TIMEOUT_S = 90;
  /** Where the proxy says peers are: the discard port, so every punch goes nowhere. */
  private static final String DEAD_END = "127.0.0.1:9";

  private final Vertx vertx = Vertx.vertx();
  private final Random random = new Random(20261125L);

  @TempDir
  Path dir;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void tamperedReplayedAndForgedRelayTrafficIsDroppedAndTheChatGoesOn() throws Exception {
    RendezvousVerticle rendezvous = new TestNet(vertx, dir).rendezvous(new JsonObject());
    HostileProxy proxy = new HostileProxy(rendezvous.port(), identityOf("alice"), identityOf("bob"));
    int proxyPort = await(proxy.start());

    List<String> received = new ArrayList<>();
    int count = 300;
    CompletableFuture<Void> all = new CompletableFuture<>();
    vertx.eventBus().<JsonObject>consumer("bob.chat.received", m -> {
      received.add(m.body().getString("text"));
      if (received.size() == count) {
        all.complete(null);
      }
    });
    Promise<Void> secured = Promise.promise();
    vertx.eventBus().<JsonObject>consumer("alice.peer.state", m -> {
      if ("relayed".equals(m.body().getString("state")) && m.body().getString("fingerprint") != null) {
        secured.tryComplete();
      }
    });
    await(vertx.deployVerticle(new ChatNodeVerticle(), new DeploymentOptions().setConfig(node("alice", proxyPort))));
    await(vertx.deployVerticle(new ChatNodeVerticle(), new DeploymentOptions().setConfig(node("bob", proxyPort))));
    await(secured.future());

    proxy.hostile = true;
    for (int i = 0; i < count; i++) {
      await(vertx.eventBus().request("alice.chat.send", new JsonObject().put("text", "m" + i)));
    }
    all.get(TIMEOUT_S, TimeUnit.SECONDS);

    assertEquals(count, received.size());
    for (int i = 0; i < count; i++) {
      assertEquals("m" + i, received.get(i), "message " + i);
    }
    JsonObject bobDrops = await(vertx.eventBus().<JsonObject>request("bob.punch.stats", new JsonObject()))
      .body().getJsonObject("drops");
    System.out.println("HostileRelayTest: proxy flipped " + proxy.flipped + ", replayed " + proxy.replayed
      + ", forged " + proxy.forged + "; bob dropped " + bobDrops);
    assertTrue(proxy.flipped > 0 && proxy.replayed > 0 && proxy.forged > 0, "the proxy attacked");
    assertTrue(bobDrops.getLong("unauthenticated", 0L) > 0, "forged and flipped packets dropped: " + bobDrops);
    assertTrue(bobDrops.getLong("replayed", 0L) > 0, "replayed packets dropped: " + bobDrops);
  }

  /** The node's identity, created before the node starts (the node then loads the same file). */
  private NodeIdentity identityOf(String nick) throws IdentityException {
    return NodeIdentity.loadOrCreate(dir.resolve("data-" + nick).resolve(NodeOptions.DEFAULT_KEY_FILE_NAME));
  }

  private JsonObject node(String nick, int rendezvousPort) {
    return new TestNet(vertx, dir).nodeConfig(nick, rendezvousPort).put("punchTimeoutSeconds", 1);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /**
   * Sits between the clients and the real rendezvous, one upstream socket per client so the server
   * still sees distinct sources. Rewrites introductions; once hostile, attacks every relay frame
   * a client sends: a copy with one bit flipped, the frame again later (replay), and a random
   * forged packet for the same peer.
   */
  private final class HostileProxy {

    private final int upstreamPort;
    private final Map<SocketAddress, DatagramSocket> upstreams = new HashMap<>();
    /** Toward the nodes: the proxy's own control server, whose key the nodes pin on first use. */
    private final ControlServer server = new ControlServer(RendezvousIdentity.generate(), new AddressCookie(),
      io.p2pchat.control.ControlCodec.SUITE, new SecureRandom());
    private final Map<ByteBuffer, NodeIdentity> identities = new HashMap<>();
    /** Toward the rendezvous: a control client per node, with the node's identity. */
    private final Map<SocketAddress, ControlClient> clients = new HashMap<>();
    private final Map<SocketAddress, byte[]> keys = new HashMap<>();
    private final Map<SocketAddress, Deque<byte[]>> waiting = new HashMap<>();
    private DatagramSocket downstream;
    volatile boolean hostile;
    int flipped;
    int replayed;
    int forged;

    HostileProxy(int upstreamPort, NodeIdentity... nodes) {
      this.upstreamPort = upstreamPort;
      for (NodeIdentity n : nodes) {
        identities.put(ByteBuffer.wrap(n.signingPublicKey()), n);
      }
    }

    /** A control datagram from a node: answered by the proxy's server, or opened and re-sealed upstream. */
    private void controlFromClient(SocketAddress client, DatagramSocket up, Buffer data) {
      ControlServer.Event e = server.onDatagram(data.getBytes(), new InetSocketAddress(client.host(), client.port()),
        System.currentTimeMillis(), System.nanoTime());
      if (e instanceof ControlServer.Event.Reply r) {
        downstream.send(Buffer.buffer(r.datagram()), client.port(), client.host());
      } else if (e instanceof ControlServer.Event.Accepted a) {
        downstream.send(Buffer.buffer(a.response()), client.port(), client.host());
      } else if (e instanceof ControlServer.Event.Message m) {
        byte[] key = m.session().peerSigningKey();
        keys.put(client, key);
        ControlClient c = clients.computeIfAbsent(client, k -> new ControlClient(identities.get(ByteBuffer.wrap(key)),
          "127.0.0.1:" + upstreamPort, KnownServers.empty(dir.resolve("proxy-known")), io.p2pchat.control.ControlCodec.SUITE,
          new SecureRandom(), System::currentTimeMillis));
        if (c.session() != null) {
          up.send(Buffer.buffer(c.seal(m.payload(), System.nanoTime())), upstreamPort, "127.0.0.1");
        } else {
          waiting.computeIfAbsent(client, k -> new ArrayDeque<>()).add(m.payload());
          if (c.state() == ControlClient.State.IDLE) {
            up.send(Buffer.buffer(c.start(System.nanoTime())), upstreamPort, "127.0.0.1");
          }
        }
      }
    }

    /** A control datagram from the rendezvous for {@code client}: a handshake step, or a message to rewrite and re-seal. */
    private void controlToClient(SocketAddress client, Buffer data) {
      ControlClient c = clients.get(client);
      if (c == null) {
        return;
      }
      DatagramSocket up = upstreams.get(client);
      ControlClient.Event e = c.onDatagram(data.getBytes(), System.nanoTime());
      if (e instanceof ControlClient.Event.Send s) {
        up.send(Buffer.buffer(s.datagram()), upstreamPort, "127.0.0.1");
      } else if (e instanceof ControlClient.Event.Established est) {
        Deque<byte[]> queue = waiting.getOrDefault(client, new ArrayDeque<>());
        while (!queue.isEmpty()) {
          up.send(Buffer.buffer(est.session().seal(queue.removeFirst(), System.nanoTime())), upstreamPort, "127.0.0.1");
        }
      } else if (e instanceof ControlClient.Event.Message m) {
        JsonObject msg = new JsonObject(Buffer.buffer(m.payload()));
        if (ControlType.INTRODUCE.wireName().equals(msg.getString(Control.TYPE))) {
          msg.getJsonObject(Control.PEER).put(Control.PUBLIC, DEAD_END).put(Control.LOCAL, new JsonArray().add(DEAD_END));
        }
        ControlSession down = server.sessionOf(keys.get(client));
        if (down != null) {
          downstream.send(Buffer.buffer(down.seal(msg.toBuffer().getBytes(), System.nanoTime())), client.port(), client.host());
        }
      }
    }

    Future<Integer> start() {
      downstream = vertx.createDatagramSocket();
      downstream.handler(p -> fromClient(p.sender(), p.data()));
      return downstream.listen(0, "127.0.0.1").map(s -> s.localAddress().port());
    }

    private void fromClient(SocketAddress client, Buffer data) {
      DatagramSocket up = upstreams.get(client);
      if (up == null) {
        DatagramSocket created = vertx.createDatagramSocket();
        created.handler(p -> toClient(client, p.data()));
        upstreams.put(client, created);
        created.listen(0, "127.0.0.1").onSuccess(s -> fromClient(client, data));
        return;
      }
      if (DatagramKind.of(data) == DatagramKind.CONTROL) {
        controlFromClient(client, up, data);
        return;
      }
      up.send(data, upstreamPort, "127.0.0.1");
      if (hostile && isRelay(data)) {
        Buffer flippedCopy = data.copy();
        int at = PacketCodec.HEADER_SIZE + PacketCodec.RELAY_ID_SIZE + random.nextInt(data.length()
          - PacketCodec.HEADER_SIZE - PacketCodec.RELAY_ID_SIZE);
        flippedCopy.setByte(at, (byte) (flippedCopy.getByte(at) ^ (1 << random.nextInt(8))));
        up.send(flippedCopy, upstreamPort, "127.0.0.1");
        flipped++;
        Buffer replay = data.copy();
        vertx.setTimer(1 + random.nextInt(50), t -> up.send(replay, upstreamPort, "127.0.0.1"));
        replayed++;
        Buffer forgery = data.getBuffer(0, PacketCodec.HEADER_SIZE * 2 + PacketCodec.RELAY_ID_SIZE);
        byte[] noise = new byte[50 + random.nextInt(500)];
        random.nextBytes(noise);
        forgery.setLong(PacketCodec.HEADER_SIZE + PacketCodec.RELAY_ID_SIZE + 8,
          random.nextLong() & Long.MAX_VALUE); // a fresh counter, so only the AEAD can refuse it
        up.send(forgery.appendBytes(noise), upstreamPort, "127.0.0.1");
        forged++;
      }
    }

    private void toClient(SocketAddress client, Buffer data) {
      if (DatagramKind.of(data) == DatagramKind.CONTROL) {
        controlToClient(client, data);
        return;
      }
      downstream.send(data, client.port(), client.host());
    }

    private boolean isRelay(Buffer data) {
      return DatagramKind.of(data) == DatagramKind.PACKET && data.getByte(1) == PacketType.RELAY.code()
        && data.length() > PacketCodec.HEADER_SIZE * 2 + PacketCodec.RELAY_ID_SIZE
        && data.getByte(PacketCodec.HEADER_SIZE + PacketCodec.RELAY_ID_SIZE + 1) == PacketType.DATA.code();
    }
  }
}
