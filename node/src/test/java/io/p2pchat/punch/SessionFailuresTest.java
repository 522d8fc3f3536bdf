package io.p2pchat.punch;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a session that ends does with the messages it had not delivered. */
class SessionFailuresTest {

  /** More than a primitive map's first tables hold, so its iteration order is not the handles' order. */
  private static final int MESSAGES = 300;

  @Test
  void aSessionThatEndsFailsEveryUndeliveredMessageInTheOrderItWasSent() {
    SessionPair net = new SessionPair();
    net.connect();
    List<String> sent = new ArrayList<>();
    // Handed over, never flushed: none can have been delivered when the peer leaves.
    for (int i = 0; i < MESSAGES; i++) {
      String id = "alice-late-" + i;
      net.alice.session.submit(1_000 + i * 7L, new OutboundChat(id, "bob", ("m" + i).getBytes(StandardCharsets.UTF_8),
        null), new PeerSession.Verdict() {
          @Override
          public void accepted() {
          }

          @Override
          public void refused(String reason) {
            throw new AssertionError(reason);
          }
        }, net.now);
      sent.add(id);
    }
    net.alice.session.close("test: bob left");
    assertEquals(sent, net.alice.failed);
    assertEquals(List.of(), net.alice.delivered);
  }
}
