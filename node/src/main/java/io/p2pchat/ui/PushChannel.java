package io.p2pchat.ui;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.p2pchat.common.NodeLog;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The page's WebSocket (path {@value #PATH}): a deliberately tiny JSON protocol instead of a
 * general event-bus bridge, so the allow-list is code, not configuration.
 *
 * <pre>
 * page -> node  {"type":"request","rid":7,"address":"chat.send","body":{"text":"hi"}}
 * node -> page  {"type":"hello","nick":"alice"}
 *               {"type":"reply","rid":7,"body":{"id":"..."}}
 *               {"type":"error","rid":7,"message":"unknown nick: zed"}
 *               {"type":"event","address":"chat.received","body":{...}}
 * </pre>
 * Addresses are relative to the prefix; only {@link UiAddresses#REQUESTS} are forwarded, only
 * {@link UiAddresses#EVENTS} are pushed. Runs on the UI verticle's event loop, so the session set
 * needs no locking.
 */
final class PushChannel {

  static final String PATH = "/ws";
  /** WebSocket close code 1008 "policy violation": used for a tab that stopped reading. */
  private static final short CLOSE_POLICY = 1008;
  /** WebSocket close code 1013 "try again later": too many tabs open. */
  private static final short CLOSE_TRY_LATER = 1013;

  private final Vertx vertx;
  private final UiOptions options;
  private final NodeLog log;
  private final Set<Session> sessions = new LinkedHashSet<>();

  PushChannel(Vertx vertx, UiOptions options, NodeLog log) {
    this.vertx = vertx;
    this.options = options;
    this.log = log;
  }

  /** Route handler; the {@link RequestGuard} has already checked Host, Origin and token. */
  void upgrade(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.response().setStatusCode(400).end("WebSocket expected\n");
      return;
    }
    ctx.request().toWebSocket().onSuccess(ws -> {
      if (sessions.size() >= options.getMaxSockets()) {
        ws.close(CLOSE_TRY_LATER, "too many open pages");
        return;
      }
      Session session = new Session(ws, log);
      sessions.add(session);
      ws.setWriteQueueMaxSize(options.getMaxQueuedBytesPerSocket());
      ws.textMessageHandler(text -> onText(session, text));
      ws.binaryMessageHandler(binary -> ws.close(CLOSE_POLICY, "text frames only"));
      ws.closeHandler(v -> sessions.remove(session));
      ws.exceptionHandler(e -> log.debug("push channel error: {}", e.toString()));
      session.write(new JsonObject().put("type", "hello").put("nick", options.getNick()));
    }).onFailure(e -> log.debug("WebSocket upgrade failed: {}", e.toString()));
  }

  /** Pushes one node event to every open page. */
  void publish(String relativeAddress, Object body) {
    JsonObject frame = new JsonObject().put("type", "event").put("address", relativeAddress).put("body", body);
    for (Session session : Set.copyOf(sessions)) {
      session.write(frame);
    }
  }

  int openSessions() {
    return sessions.size();
  }

  void closeAll() {
    for (Session session : Set.copyOf(sessions)) {
      session.ws.close();
    }
    sessions.clear();
  }

  private void onText(Session session, String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      session.write(error(null, "malformed request: JSON object expected"));
      return;
    }
    Object rid = frame.getValue("rid");
    if (!(rid == null || rid instanceof Number)) {
      session.write(error(null, "malformed request: rid must be a number"));
      return;
    }
    String address = frame.getValue("address") instanceof String s ? s : null;
    if (!"request".equals(frame.getValue("type")) || address == null || !UiAddresses.REQUESTS.contains(address)) {
      session.write(error(rid, "not allowed: the page may request only " + UiAddresses.REQUESTS));
      return;
    }
    Object body = frame.getValue("body", new JsonObject());
    if (!(body instanceof JsonObject)) {
      session.write(error(rid, "malformed request: body must be a JSON object"));
      return;
    }
    if (session.pending >= options.getMaxPendingRequests()) {
      session.write(error(rid, "too many requests in flight; wait for replies"));
      return;
    }
    session.pending++;
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(options.getRequestTimeoutMs());
    vertx.eventBus().<Object>request(UiAddresses.absolute(options.getEventBusPrefix(), address), body, delivery)
        .onComplete(ar -> {
          session.pending--;
          if (ar.succeeded()) {
            session.write(new JsonObject().put("type", "reply").put("rid", rid).put("body", replyBody(ar.result())));
          } else {
            session.write(error(rid, describe(ar.cause())));
          }
        });
  }

  private static Object replyBody(Message<Object> reply) {
    Object body = reply.body();
    return body == null ? new JsonObject() : body;
  }

  /** Turns an event-bus failure into a message a user can act on. */
  static String describe(Throwable cause) {
    if (cause instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case NO_HANDLERS -> "the chat node is not ready (nothing answers on the event bus yet)";
        case TIMEOUT -> "the chat node did not answer in time";
        default -> reply.getMessage() == null ? "request failed" : reply.getMessage();
      };
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  private static JsonObject error(Object rid, String message) {
    return new JsonObject().put("type", "error").put("rid", rid).put("message", message);
  }

  /** One open page. */
  private static final class Session {
    final ServerWebSocket ws;
    final NodeLog log;
    int pending;

    Session(ServerWebSocket ws, NodeLog log) {
      this.ws = ws;
      this.log = log;
    }

    void write(JsonObject frame) {
      if (ws.isClosed()) {
        return;
      }
      if (ws.writeQueueFull()) {
        log.info("closing a web UI page that stopped reading (it will reconnect and reload history)");
        ws.close(CLOSE_POLICY, "too slow");
        return;
      }
      ws.writeTextMessage(frame.encode());
    }
  }
}
