package io.p2pchat.ui;

import io.vertx.core.Vertx;

/**
 * Manual harness: the web UI of alice and bob over a {@link FakeChatNetwork}, no real node needed.
 * Prints both URLs ({@code * web UI: ...} lines) and runs until killed. carol is relayed and dave
 * still connecting, so the page shows several peer states.
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
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }
}
