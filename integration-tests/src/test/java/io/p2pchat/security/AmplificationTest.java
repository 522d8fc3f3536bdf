package io.p2pchat.security;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.p2pchat.rendezvous.UdpClient;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.Probe;
import io.p2pchat.wire.ProbeCodec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A room member turned attacker against a third party (issue 15), on real UDP on loopback: a room
 * of {@link #MEMBERS} real nodes and the attacker, a raw client. The attacker lists
 * {@link #LISTED} of the victim's addresses (another loopback address, 127.0.0.77, which is neither
 * a LAN range nor the attacker's own address) as its host candidates, registers {@link #ROUNDS} times
 * with new instance ids, one punch window apart so that each introduction gets the room's whole
 * window, and after each forges one punch to every member from the victim's address (sent from the
 * victim's own socket, as a spoofed source would arrive) with the probe secret of their pair. The
 * victim must receive at most {@link #MAX_AMPLIFICATION} times the bytes the attacker sent in all
 * (its handshake and registrations included).
 */
@Timeout(300)
class AmplificationTest {

  /** The nodes of the room besides the attacker: a room of twenty. */
  private static final int MEMBERS = 19;
  /** Registrations of the attacker: the first and three with new instance ids. */
  private static final int ROUNDS = 4;
  /** Between two registrations: the nodes' default punch window, so every introduction's window runs whole. */
  private static final long ROUND_MS = 5_000;
  /** Victim addresses the attacker lists as host candidates: the most a registration keeps (Control.MAX_LOCAL_CANDIDATES). */
  private static final int LISTED = 8;
  /** The bound: what an answer to an unvalidated source may be, as RFC 9000 section 8.1 allows. */
  private static final double MAX_AMPLIFICATION = 3.0;
  /**
   * How long after the last registration the victim keeps counting: a whole punch window (5 s),
   * the pacing of re-introductions per pair (5 s), and a margin for a loaded machine.
   */
  private static final long MEASURE_AFTER_ATTACK_MS = 15_000;
  private static final String VICTIM_HOST = "127.0.0.77";

  private final Vertx vertx = Vertx.vertx();
  private final List<DatagramSocket> victim = new ArrayList<>();
  private final AtomicLong victimBytes = new AtomicLong();

  @TempDir
  Path dir;

  @AfterEach
  void close() throws Exception {
    victim.forEach(DatagramSocket::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void aMemberCannotMakeTheRoomFloodAThirdParty() throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle rendezvous = net.rendezvous(new JsonObject());
    List<Node> room = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      room.add(net.node("m" + i, rendezvous.port()));
    }
    Node newest = room.get(MEMBERS - 1);
    for (Node n : room) {
      if (n != newest) {
        newest.awaitPeer(n.nick, "direct-lan");
      }
    }
    JsonArray victimAddresses = new JsonArray();
    for (int i = 0; i < LISTED; i++) {
      victim.add(listening(new DatagramSocket(new InetSocketAddress(InetAddress.getByName(VICTIM_HOST), 0))));
      victimAddresses.add(VICTIM_HOST + ":" + victim.get(i).getLocalPort());
    }

    long forgedBytes = 0;
    try (UdpClient mallory = new UdpClient(rendezvous.port(), "mallory", "lobby")) {
      Map<String, JsonObject> intros = new HashMap<>();
      for (int round = 0; round < ROUNDS; round++) {
        long roundEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ROUND_MS);
        mallory.register(mallory.registration().put(Control.INSTANCE, "attack-" + round).put(Control.LOCAL, victimAddresses));
        // The attacker's pace is one registration per punch window: meanwhile it learns the pairs' secrets.
        Set<String> forged = new HashSet<>();
        JsonObject intro;
        while ((intro = mallory.receiveControlUntil(ControlType.INTRODUCE, roundEnds)) != null) {
          String member = intro.getJsonObject(Control.PEER).getString(Control.NICK);
          intros.put(member, intro);
          if (forged.add(member)) {
            forgedBytes += forgePunch(intro, round);
          }
        }
      }
      long attackerBytes = mallory.bytesSent() + forgedBytes;
      long attackEnded = System.nanoTime();
      // The quantity measured is what arrives in this window: a fixed wait is the measurement itself.
      Thread.sleep(MEASURE_AFTER_ATTACK_MS);
      long received = victimBytes.get();
      double ratio = (double) received / attackerBytes;
      JsonObject dropped = net.rendezvousStats().getJsonObject("hostCandidatesDropped");
      System.out.printf("AMPLIFICATION victim received %d bytes, attacker sent %d (%d forged): ratio %.2f;"
          + " rendezvous dropped host candidates %s; measured %d ms after the attack%n", received, attackerBytes,
        forgedBytes, ratio, dropped, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attackEnded));
      assertTrue(ratio <= MAX_AMPLIFICATION, String.format(
        "the victim received %d bytes for the attacker's %d: %.2fx", received, attackerBytes, ratio));
    }
  }

  /** A punch in mallory's name to the member of {@code intro}, from the victim's first address; returns its bytes. */
  private long forgePunch(JsonObject intro, int round) throws Exception {
    long introId = Long.parseUnsignedLong(intro.getString(Control.INTRO_ID), 16);
    byte[] secret = Base64.getDecoder().decode(intro.getString(Control.SECRET));
    String[] member = intro.getJsonObject(Control.PEER).getString(Control.PUBLIC).split(":");
    InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(member[0]), Integer.parseInt(member[1]));
    byte[] punch = ProbeCodec.encode(new Probe(Probe.Kind.PUNCH, introId, round + 1L, 0, null), round + 1L, secret)
      .getBytes();
    victim.get(0).send(new DatagramPacket(punch, punch.length, to));
    return punch.length;
  }

  /** Counts every byte {@code socket} receives, on a thread of its own, until it is closed. */
  private DatagramSocket listening(DatagramSocket socket) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[2048];
      while (true) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (Exception closed) {
          return;
        }
        victimBytes.addAndGet(p.getLength());
      }
    }, "victim-" + socket.getLocalPort());
    t.setDaemon(true);
    t.start();
    return socket;
  }
}
