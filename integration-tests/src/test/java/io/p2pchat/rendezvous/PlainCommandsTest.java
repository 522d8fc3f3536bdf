package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.TestNet;
import io.p2pchat.punch.PunchVerticle;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.wire.PacketCodec;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, test 3: the original design's plain-text commands over a real UDP socket, as netcat
 * would send them: {@code punch}, paged {@code list}, {@code peer N}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class PlainCommandsTest {

  /** Enough 30-character nicks to need more than one 1200-byte page. */
  private static final int NICKS = 60;
  private static final int NICK_LENGTH = 30;
  private static final Pattern MORE = Pattern.compile("\\+(\\d+) more");

  @Test
  void punchListPagesAndPeerN(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    List<RawUdp> clients = new ArrayList<>();
    TreeMap<String, Integer> portByNick = new TreeMap<>();
    try (RawUdp nc = new RawUdp()) {
      nc.sendText("punch", r.port());
      assertEquals("punched", nc.receiveText());
      nc.sendText(RawUdp.padded("list"), r.port());
      assertEquals("(empty)\n", nc.receiveText());

      for (int i = 0; i < NICKS; i++) {
        // Registered in a shuffled order: the listing is sorted by nick whatever the order.
        String nick = String.format("user-%02d-", (i * 37) % NICKS);
        nick = nick + "x".repeat(NICK_LENGTH - nick.length());
        RawUdp client = new RawUdp();
        clients.add(client);
        JsonObject registered = client.register(nick, "lobby", r.port());
        assertEquals("127.0.0.1:" + client.port(), registered.getString("public"));
        portByNick.put(nick, client.port());
      }
      // One in another room: plain list shows the default room only.
      RawUdp elsewhere = new RawUdp();
      clients.add(elsewhere);
      elsewhere.register("zz-elsewhere", "elsewhere", r.port());

      List<String> listed = new ArrayList<>();
      int page = 1;
      while (true) {
        nc.sendText(RawUdp.padded(page == 1 ? "list" : "list " + page), r.port());
        String answer = nc.receiveText();
        assertTrue(answer.length() <= PacketCodec.MAX_DATAGRAM, "page " + page + " of " + answer.length() + " bytes");
        List<String> lines = new ArrayList<>(List.of(answer.split("\n")));
        Matcher more = MORE.matcher(lines.get(lines.size() - 1));
        boolean hasMore = more.matches();
        if (hasMore) {
          lines.remove(lines.size() - 1);
        }
        listed.addAll(lines);
        if (!hasMore) {
          break;
        }
        assertEquals(NICKS - listed.size(), Integer.parseInt(more.group(1)), "page " + page + ": " + answer);
        page++;
      }
      assertTrue(page >= 2, "60 nicks of 30 characters need several pages");
      assertEquals(new ArrayList<>(portByNick.keySet()), listed, "every nick exactly once, sorted");

      nc.sendText(RawUdp.padded("list " + (page + 1)), r.port());
      assertTrue(nc.receiveText().startsWith("error: "), "a page past the end is an error line");

      for (int n : new int[] {1, 2, 38, NICKS}) {
        nc.sendText(RawUdp.padded("peer " + n), r.port());
        String nick = listed.get(n - 1);
        assertEquals(nick + " 127.0.0.1:" + portByNick.get(nick) + "\n", nc.receiveText());
      }
      nc.sendText(RawUdp.padded("peer 999"), r.port());
      String error = nc.receiveText();
      assertTrue(error.startsWith("error: ") && error.endsWith("\n") && error.indexOf('\n') == error.length() - 1,
        error);
      nc.sendText("PUNCH", r.port());
      assertEquals("punched", nc.receiveText());
    } finally {
      clients.forEach(RawUdp::close);
    }
  }

  @Test
  void aClientSocketAnswersPunch(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    try (RawUdp nc = new RawUdp()) {
      nc.sendText("punch\n", alice.port());
      assertEquals("punched", nc.receiveText());
      // Only a liveness reply: nobody appeared as a peer.
      assertTrue(alice.peers().getJsonArray("peers").isEmpty());
    }
  }
  /**
   * A flood of plain punches (forged sources would make the node a reflector) gets at most the
   * burst plus the rate in answers; the rest are dropped and counted, and the burst still answers
   * a few checks typed by hand.
   */
  @Test
  void aClientAnswersPlainPunchesAtABoundedRate(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    Node alice = net.node("alice", r.port());
    try (DatagramChannel flooder = DatagramChannel.open()) {
      flooder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      flooder.configureBlocking(false);
      InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), alice.port());
      long start = System.nanoTime();
      for (int i = 0; i < FLOOD; i++) {
        flooder.send(ByteBuffer.wrap("punch\n".getBytes(StandardCharsets.US_ASCII)), target);
      }
      // Every punch is either answered or dropped as rate-limited: await both counts adding up.
      int answers = 0;
      long limited = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_SETTLE_S);
      ByteBuffer in = ByteBuffer.allocate(64);
      while (answers + limited < FLOOD && System.nanoTime() < deadline) {
        while (flooder.receive(in.clear()) != null) {
          answers++;
        }
        limited = alice.stats().getJsonObject("drops").getLong("rate-limited", 0L);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      assertEquals(FLOOD, answers + limited, "every punch answered or counted as rate-limited");
      assertTrue(answers >= PunchVerticle.PLAIN_PUNCH_ANSWER_BURST, "the burst is answered: " + answers);
      assertTrue(answers <= PunchVerticle.PLAIN_PUNCH_ANSWER_BURST + PunchVerticle.PLAIN_PUNCH_ANSWERS_PER_SECOND * seconds + 1,
        answers + " answers in " + seconds + " s");
    }
  }

  /** Plain punches sent at once: ten times the burst. */
  private static final int FLOOD = 200;
  /** Generous: the node handles 200 datagrams in milliseconds even on a loaded machine. */
  private static final long FLOOD_SETTLE_S = 30;
}
