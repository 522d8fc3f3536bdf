package io.p2pchat.examples.embedded;

import io.p2pchat.client.ChatClient;
import io.p2pchat.client.PeerState;
import io.p2pchat.client.ReceivedMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * The greeter's logic, on the typed API only: greets every peer that becomes reachable with a direct
 * message (once per connection: again after it left and came back), logs every message it
 * receives, and answers a direct message with {@value #ANSWER_PREFIX} and its text. It never answers
 * an answer, so two greeters cannot loop.
 */
public class GreeterVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GreeterVerticle.class);

  /** What a peer gets when it connects; {@code %s} is its nick. */
  static final String GREETING = "hello %s, I am a greeter: send me a direct message";
  /** The start of every answer to a direct message. */
  static final String ANSWER_PREFIX = "you said: ";

  private final String eventBusPrefix;
  /** Peers greeted since they last connected; only touched on this verticle's event loop. */
  private final Set<String> greeted = new HashSet<>();
  private ChatClient chat;

  /** A greeter for the node whose {@code eventBusPrefix} is {@code eventBusPrefix}. */
  public GreeterVerticle(String eventBusPrefix) {
    this.eventBusPrefix = eventBusPrefix;
  }

  @Override
  public Future<?> start() {
    // Set here, on this verticle's context: every handler runs on its event loop.
    chat = ChatClient.create(vertx, eventBusPrefix)
      .peerStateHandler(this::onPeerState)
      .receivedHandler(this::onReceived)
      .deliveredHandler(d -> LOG.info("{} has message {}", d.peer(), d.id()))
      .failedHandler(f -> LOG.warn("message {} did not reach {}: {}", f.id(), f.peer(), f.reason()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return chat.close();
  }

  private void onPeerState(PeerState state) {
    String nick = state.nick();
    if (PeerState.GONE.equals(state.state())) {
      greeted.remove(nick);
      LOG.info("{} left", nick);
    } else if (state.reachable() && greeted.add(nick)) {
      LOG.info("greeting {} ({} path {})", nick, state.state(), state.address());
      chat.send(nick, String.format(GREETING, nick))
        .onFailure(e -> LOG.warn("could not greet {}: {}", nick, e.getMessage()));
    }
  }

  private void onReceived(ReceivedMessage message) {
    LOG.info("received from {}{}: {}", message.from(), message.direct() ? " (direct)" : "", message.text());
    if (message.direct() && !message.text().startsWith(ANSWER_PREFIX)) {
      chat.send(message.from(), ANSWER_PREFIX + message.text())
        .onFailure(e -> LOG.warn("could not answer {}: {}", message.from(), e.getMessage()));
    }
  }
}
