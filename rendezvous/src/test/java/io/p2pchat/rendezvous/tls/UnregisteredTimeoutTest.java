package io.p2pchat.rendezvous.tls;

import io.p2pchat.common.NodeLog;
import io.p2pchat.rendezvous.RendezvousHarness;
import io.p2pchat.rendezvous.WsClient;
import io.p2pchat.wire.Endpoint;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A WebSocket that holds no registration is closed after {@link WebSocketIngress#UNREGISTERED_TIMEOUT_NANOS},
 * one that holds one is kept: the ingress alone, its sweep given the time (no 20 s wait).
 */
class UnregisteredTimeoutTest {

  @TempDir
  Path dir;

  @Test
  void aConnectionWithoutARegistrationIsClosedAtItsTimeoutAndARegisteredOneIsKept() throws Exception {
    Vertx vertx = Vertx.vertx();
    Set<Endpoint> seen = ConcurrentHashMap.newKeySet();
    Set<Endpoint> registered = ConcurrentHashMap.newKeySet();
    try {
      TlsSettings settings = new TlsSettings("127.0.0.1", 0, null, null, dir, 10);
      TlsCertificate cert = TlsCertificate.loadOrCreate(settings, "test");
      Context context = vertx.getOrCreateContext();
      WebSocketIngress ingress = onContext(context, () -> new WebSocketIngress(vertx, settings, cert,
        (from, data) -> seen.add(from), registered::contains, NodeLog.of(UnregisteredTimeoutTest.class, "test", dir.toString())));
      int port = RendezvousHarness.await(onContextFuture(context, ingress));
      try (WsClient idle = new WsClient(port, "idle", "lobby"); WsClient member = new WsClient(port, "member", "lobby")) {
        member.send(new byte[] {1});
        RendezvousHarness.awaitTrue("the member's datagram arrived", () -> seen.size() == 1);
        registered.addAll(seen); // the member holds a registration now, the idle one never sent anything
        long opened = System.nanoTime();
        onContext(context, () -> {
          ingress.sweep(opened + WebSocketIngress.UNREGISTERED_TIMEOUT_NANOS / 2);
          return null;
        });
        assertEquals(2, (int) onContext(context, ingress::connections), "before the timeout both stay");
        onContext(context, () -> {
          ingress.sweep(opened + WebSocketIngress.UNREGISTERED_TIMEOUT_NANOS + 1);
          return null;
        });
        assertEquals(1008, idle.awaitClose(), "the idle one is closed");
        RendezvousHarness.awaitTrue("one connection left", () -> onContext(context, ingress::connections) == 1);
        assertEquals(1, (long) onContext(context, () -> ingress.stats().getJsonObject("drops").getLong("tls-unregistered")));
      }
    } finally {
      RendezvousHarness.await(vertx.close());
    }
  }

  private static <T> T onContext(Context context, java.util.concurrent.Callable<T> work) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        p.complete(work.call());
      } catch (Exception e) {
        p.fail(e);
      }
    });
    return RendezvousHarness.await(p.future());
  }

  private static io.vertx.core.Future<Integer> onContextFuture(Context context, WebSocketIngress ingress) {
    Promise<Integer> p = Promise.promise();
    context.runOnContext(v -> ingress.listen().onComplete(p));
    return p.future();
  }
}
