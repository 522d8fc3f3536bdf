package io.p2pchat.bench;

import io.p2pchat.chat.ChatAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * One flood of messages to a peer through {@code chat.send}, {@code batch} texts per request, with
 * at most {@code window} messages in requests not yet replied to (the node delays replies while the
 * peer's send window is full, so that is what paces it). It stops issuing at a message count or a time, whichever comes first, and ends
 * when every issued message was acknowledged ({@code chat.delivered}) or failed. Runs on the
 * driver's event loop only.
 */
final class Flood {

  /**
   * Back-pressure holds replies while the peer's window is full: far longer than the event bus's
   * 30 s default may pass on a busy machine before a queued message is accepted.
   */
  private static final DeliveryOptions REQUEST_OPTIONS = new DeliveryOptions().setSendTimeout(120_000);

  private final Vertx vertx;
  private final ChatAddresses addresses;
  private final String peer;
  private final int size;
  private final int window;
  private final int batch;
  private final long maxMessages;
  private final long maxNanos;
  private final Promise<JsonObject> done = Promise.promise();
  /** Accepted (replied) ids not yet delivered. */
  private final Set<String> pending = new HashSet<>();
  /** Delivered ids whose send reply has not arrived yet (the two travel different hops). */
  private final Set<String> deliveredFirst = new HashSet<>();
  private long nextSeq;
  private long startNanos;
  private long stoppedIssuingNanos;
  private long issued;
  /** Messages in requests not yet replied to. */
  private long requestedOut;
  private long delivered;
  private long failed;
  private long rejected;
  private boolean issuing = true;

  Flood(Vertx vertx, ChatAddresses addresses, String peer, int size, int window, int batch, long firstSeq,
        long maxMessages, long maxNanos) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.peer = peer;
    this.size = size;
    this.window = window;
    this.batch = batch;
    this.nextSeq = firstSeq;
    this.maxMessages = maxMessages;
    this.maxNanos = maxNanos;
  }

  /** Starts; the future completes with {@code messages, delivered, failed, seconds, nextSeq}. */
  Future<JsonObject> run() {
    startNanos = System.nanoTime();
    pump();
    return done.future();
  }

  /** Messages acknowledged so far: the watchdog's measure of progress. */
  long progress() {
    return delivered + failed + rejected;
  }

  void onDelivered(String id) {
    if (pending.remove(id)) {
      delivered++;
      checkDone();
    } else {
      deliveredFirst.add(id);
    }
  }

  void onFailed(String id) {
    if (pending.remove(id)) {
      failed++;
      checkDone();
    }
  }

  private void pump() {
    while (issuing && requestedOut < window) {
      if (issued >= maxMessages || System.nanoTime() - startNanos >= maxNanos) {
        issuing = false;
        stoppedIssuingNanos = System.nanoTime();
        break;
      }
      issue((int) Math.min(Math.min(batch, window - requestedOut), maxMessages - issued));
    }
    checkDone();
  }

  /** One request of {@code count} texts: {"text"} when it is one, {"texts": [...]} otherwise. */
  private void issue(int count) {
    issued += count;
    requestedOut += count;
    JsonArray texts = new JsonArray(new ArrayList<>(count));
    for (int i = 0; i < count; i++) {
      texts.add(BenchText.make(BenchText.FLOOD, nextSeq++, size));
    }
    vertx.eventBus().<JsonObject>request(addresses.send(), BenchText.sendBody(peer, texts), REQUEST_OPTIONS).onComplete(ar -> {
      requestedOut -= count;
      if (ar.succeeded()) {
        JsonObject reply = ar.result().body();
        if (count == 1) {
          accepted(reply.getString("id"));
        } else {
          reply.getJsonArray("ids").forEach(id -> accepted((String) id));
        }
      } else {
        rejected += count;
      }
      pump();
    });
  }

  private void accepted(String id) {
    if (deliveredFirst.remove(id)) {
      delivered++;
    } else {
      pending.add(id);
    }
  }

  private void checkDone() {
    if (!issuing && requestedOut == 0 && delivered + failed + rejected == issued && !done.future().isComplete()) {
      long end = System.nanoTime();
      done.complete(new JsonObject()
        .put("messages", issued)
        .put("delivered", delivered)
        .put("failed", failed)
        .put("rejected", rejected)
        .put("seconds", (end - startNanos) / 1e9)
        .put("drainSeconds", (end - stoppedIssuingNanos) / 1e9)
        .put("nextSeq", nextSeq));
    }
  }
}
