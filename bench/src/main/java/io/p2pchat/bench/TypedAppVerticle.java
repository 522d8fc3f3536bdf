package io.p2pchat.bench;

import io.p2pchat.client.ChatClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The application of the {@link SizeRun#TYPED_APP} run, a node extension: it follows every {@code chat.sent},
 * {@code chat.delivered} and {@code chat.received} of its node through the typed API's per-message handlers
 * ({@link ChatClient}), as a bot or a bridge does, and keeps what a bridge would look at (the last id and how
 * many texts' characters), so the JIT cannot drop the work.
 */
public class TypedAppVerticle extends VerticleBase {

  private ChatClient chat;
  private long events;
  private long characters;
  private String lastId;

  @Override
  public Future<?> start() {
    chat = ChatClient.create(vertx, config().getString("eventBusPrefix", "p2pchat"))
      .sentHandler(m -> seen(m.id(), m.text().length()))
      .deliveredHandler(d -> seen(d.id(), 0))
      .receivedHandler(m -> seen(m.id(), m.text().length()));
    return Future.succeededFuture();
  }

  private void seen(String id, int length) {
    events++;
    characters += length;
    lastId = id;
  }

  @Override
  public Future<?> stop() {
    return chat.close();
  }
}
