package io.p2pchat.console;

import static io.p2pchat.node.TestNet.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.node.NodeOptions;
import io.p2pchat.node.TestNet;
import io.p2pchat.node.TestNet.Node;
import io.p2pchat.rendezvous.RendezvousVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, test 8: the console driven through its streams, in a node whose peer is a real node:
 * what the user types goes out, what peers say prints in its formats, hostile text is escaped.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class ConsoleVerticleTest {

  private static final String CLOCK = "\\[\\d{2}:\\d{2}:\\d{2}\\] ";

  /** What the user types: lines handed to the console's reader thread. */
  static final class Keyboard extends InputStream {
    private static final byte[] EOF = new byte[0];
    private final BlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int pos;

    void type(String line) {
      lines.add((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void close2() {
      lines.add(EOF);
    }

    @Override
    public int read() throws IOException {
      while (pos == current.length) {
        try {
          current = lines.take();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        pos = 0;
        if (current == EOF) {
          current = new byte[0];
          lines.add(EOF);
          return -1;
        }
      }
      return current[pos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int first = read();
      if (first < 0) {
        return -1;
      }
      b[off] = (byte) first;
      int n = 1;
      while (n < len && pos < current.length) {
        b[off + n++] = current[pos++];
      }
      return n;
    }
  }

  /** What the console prints, line by line, with waiting on a monitor (no polling). */
  static final class Screen extends OutputStream {
    private final List<String> lines = new ArrayList<>();
    private byte[] partial = new byte[256];
    private int length;

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        lines.add(new String(partial, 0, length, StandardCharsets.UTF_8));
        length = 0;
        notifyAll();
        return;
      }
      if (length == partial.length) {
        partial = Arrays.copyOf(partial, length * 2);
      }
      partial[length++] = (byte) b;
    }

    synchronized List<String> lines() {
      return new ArrayList<>(lines);
    }

    /** Index of the first line at or after {@code from} matching, waiting for it. */
    synchronized int await(int from, Predicate<String> predicate, String what) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestNet.WAIT_SECONDS);
      while (true) {
        for (int i = from; i < lines.size(); i++) {
          if (predicate.test(lines.get(i))) {
            return i;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no console line " + what + "; screen:\n" + String.join("\n", lines));
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    int await(Predicate<String> predicate, String what) throws InterruptedException {
      return await(0, predicate, what);
    }

    int awaitLine(String regex) throws InterruptedException {
      Pattern p = Pattern.compile(regex);
      return await(l -> p.matcher(l).matches(), "matching " + regex);
    }
  }

  @Test
  void consoleChatsWithARealPeer(Vertx vertx, @TempDir Path dir) throws Exception {
    TestNet net = new TestNet(vertx, dir);
    RendezvousVerticle r = net.rendezvous(new JsonObject());
    JsonObject aliceConfig = net.nodeConfig("alice", r.port());
    Node alice = net.node(aliceConfig);
    Keyboard keyboard = new Keyboard();
    Screen screen = new Screen();
    Promise<Void> left = Promise.promise();
    await(vertx.deployVerticle(new ConsoleVerticle(new NodeOptions(aliceConfig), keyboard,
      new PrintStream(screen, true, StandardCharsets.UTF_8), () -> {
        left.complete();
        return Future.succeededFuture();
      })));
    screen.await(l -> l.equals("* alice in room lobby: type to chat, /help for commands"), "greeting");

    Node bob = net.node("bob", r.port());
    screen.await(l -> l.equals("* bob connected (direct-lan 127.0.0.1:" + bob.port() + ")"), "bob connected");

    keyboard.type("hello bob");
    bob.awaitReceived("alice", "hello bob");
    screen.awaitLine(CLOCK + "alice: hello bob");

    bob.send("hi alice");
    screen.awaitLine(CLOCK + "bob: hi alice");
    bob.sendTo("alice", "psst");
    screen.awaitLine(CLOCK + "bob \\(private\\): psst");

    bob.send("first\nsecond\r\nthird");
    int at = screen.awaitLine(CLOCK + "bob: first");
    screen.await(at + 2, l -> true, "continuation lines");
    assertEquals(List.of("  second", "  third"), screen.lines().subList(at + 1, at + 3));

    bob.send("\u001b[2J\u001b[31mred\u202Eevil\u0007");
    screen.awaitLine(CLOCK + "bob: \\\\x1b\\[2J\\\\x1b\\[31mred\\\\u202eevil\\\\x07");

    keyboard.type("/peers");
    // One line per peer: nick, state, address, rtt (then details such as its key id).
    screen.awaitLine("\\* bob +direct-lan +127\\.0\\.0\\.1:" + bob.port() + " +rtt \\d+\\.\\d\\d ms.*");
    keyboard.type("/list");
    screen.await(l -> l.equals("* peers: bob"), "/list");
    keyboard.type("/stats");
    // The node's datagram counters and every drop by its reason, on one line (the NAT lab parses it).
    screen.awaitLine("\\* stats: datagrams in [1-9]\\d* out [1-9]\\d*; drops total \\d+( [a-z-]+=\\d+)*");

    keyboard.type("/msg nobody are you there");
    screen.await(l -> l.equals("! not sent: unknown nick: nobody"), "/msg to an unknown nick");
    keyboard.type("/msg bob just us");
    assertEquals("bob", bob.awaitReceived("alice", "just us").getString("to"));
    screen.awaitLine(CLOCK + "alice \\(private to bob\\): just us");
    keyboard.type("/msg bob");
    screen.await(l -> l.equals("! usage: /msg NICK TEXT"), "/msg usage");
    keyboard.type("/dance");
    screen.await(l -> l.equals("! unknown command /dance: /help lists them"), "unknown command");
    keyboard.type("/history 3");
    int history = screen.await(l -> l.equals("* last 3 messages:"), "/history");
    screen.await(history + 3, l -> true, "three history lines");
    // Delivered before it is listed: one not yet acknowledged says so, "(private to bob, sending)".
    alice.awaitDelivered(alice.events.await(TestNet.Events.SENT, e -> "just us".equals(e.getString("text")))
      .getString("id"), "bob");
    keyboard.type("/history 1");
    // A count of one reads in the singular.
    int last = screen.await(l -> l.equals("* last 1 message:"), "/history 1");
    screen.await(last + 1, l -> true, "one history line");
    assertTrue(screen.lines().get(last + 1).matches(CLOCK + "alice \\(private to bob\\): just us"),
      "the last message: " + screen.lines().get(last + 1));

    // The peer quits: it says goodbye, so the console says so at once (long before any expiry).
    long quitAt = System.nanoTime();
    await(bob.undeploy());
    screen.await(l -> l.equals("* bob left"), "bob left");
    assertTrue(System.nanoTime() - quitAt < TimeUnit.SECONDS.toNanos(10), "left announced within seconds");

    // Nothing a peer sent ever reached the terminal raw.
    for (String line : screen.lines()) {
      assertFalse(line.chars().anyMatch(c -> c < 0x20 || c == 0x7F || c == 0x202E), "raw control in: " + line);
    }

    keyboard.type("/quit");
    screen.await(l -> l.equals("* leaving"), "/quit");
    await(left.future());
    keyboard.close2();
  }
}
