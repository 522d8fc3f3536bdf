package io.p2pchat.ui;

import io.vertx.core.Vertx;

/**
 * Manual harness: the web UI of alice and bob over a {@link FakeChatNetwork}, no real node needed.
 * Prints both URLs ({@code * web UI: ...} lines) and runs until killed. carol is relayed and dave
 * still connecting, so the page shows several peer states. Lines on stdin change the world:
 * {@code state <nick> <state>} (e.g. {@code state carol gone}), {@code rendezvous <nick> up|down}.
 */
public final class UiDevHarness {

  /** Test logs stay out of the source tree. */
  static final String LOG_DIR = "target/ui-test-logs";

  private UiDevHarness() {
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    FakeChatNetwork network = new FakeChatNetwork(vertx, "alice", "bob", "carol", "dave");
    vertx.deployVerticle(new UiVerticle(new UiOptions().setNick("alice").setEventBusPrefix("alice").setLogDir(LOG_DIR)))
        .compose(id -> vertx.deployVerticle(new UiVerticle(new UiOptions().setNick("bob").setEventBusPrefix("bob").setLogDir(LOG_DIR))))
        .onSuccess(id -> {
          network.setPeerState("carol", "relayed");
          network.setPeerState("dave", "connecting");
        })
        .onSuccess(id -> readCommands(vertx, network))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  private static void readCommands(Vertx vertx, FakeChatNetwork network) {
    Thread reader = new Thread(() -> {
      java.util.Scanner in = new java.util.Scanner(System.in, java.nio.charset.StandardCharsets.UTF_8);
      while (in.hasNextLine()) {
        String[] words = in.nextLine().trim().split("\\s+");
        if (words.length == 3 && words[0].equals("state")) {
          vertx.runOnContext(v -> network.setPeerState(words[1], words[2]));
        } else if (words.length == 3 && words[0].equals("rendezvous")) {
          vertx.runOnContext(v -> network.setRendezvous(words[1], words[2].equals("up")));
        }
      }
    }, "harness-stdin");
    reader.setDaemon(true);
    reader.start();
  }
}
