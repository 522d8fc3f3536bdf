package io.p2pchat.examples;

import io.p2pchat.chat.ChatAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * An example integration: a bot that lives in a node (config {@code "extensions":
 * ["io.p2pchat.examples.EchoBotVerticle"]}) and uses only the public event-bus API. It answers
 * {@code !ping} with {@code pong} and echoes every other line as {@code echo: LINE}, privately
 * when it was asked privately. It never answers an echo, so two bots cannot loop.
 */
public class EchoBotVerticle extends VerticleBase {

  static final String ECHO_PREFIX = "echo: ";

  @Override
  public Future<?> start() {
    ChatAddresses addresses = new ChatAddresses(config().getString("eventBusPrefix", "p2pchat"));
    vertx.eventBus().<JsonObject>consumer(addresses.received(), msg -> {
      JsonObject in = msg.body();
      String text = in.getString("text", "");
      if (text.startsWith(ECHO_PREFIX) || text.equals("pong")) {
        return;
      }
      JsonObject answer = new JsonObject().put("text", text.strip().equals("!ping") ? "pong" : ECHO_PREFIX + text);
      if (in.getString("to") != null) {
        answer.put("to", in.getString("from"));
      }
      vertx.eventBus().request(addresses.send(), answer);
    });
    return Future.succeededFuture();
  }
}
