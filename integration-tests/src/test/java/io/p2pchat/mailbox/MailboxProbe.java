package io.p2pchat.mailbox;

import io.p2pchat.chat.ChatAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A node extension for tests of a node in another process: writes each chat event of its node to a file, one
 * line {@code KIND ID PEER} each ({@code extensionConfig.probeFile}), so the test reads what the user would see
 * after the process is gone (killed with -9 included: each line is written when the event comes).
 */
public class MailboxProbe extends VerticleBase {

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    Path file = Path.of(conf.getJsonObject("extensionConfig").getString("probeFile"));
    ChatAddresses addresses = new ChatAddresses(conf.getString("eventBusPrefix", "p2pchat"));
    record("queued", addresses.queued(), "peer", file);
    record("delivered", addresses.delivered(), "peer", file);
    record("failed", addresses.failed(), "peer", file);
    record("received", addresses.received(), "from", file);
    record("peer", addresses.peerState(), "state", file);
    return Future.succeededFuture();
  }

  private void record(String kind, String address, String field, Path file) {
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      JsonObject e = m.body();
      String line = kind + " " + e.getString(kind.equals("peer") ? "nick" : "id") + " " + e.getString(field) + "\n";
      try {
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    });
  }
}
