package io.p2pchat.chat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event body is, to whoever gets it, the {@code JsonObject} the node used to build (a {@code LinkedHashMap} of
 * the same fields), and every copy of it is its consumer's own: whatever one consumer changes, the node's body and
 * every other copy stay as they were.
 */
@ExtendWith(VertxExtension.class)
class EventBodyTest {

  private static final String[] FIELDS = {"id", "from", "text", "ts", "to"};

  private static EventBody received(String to) {
    return new EventBody(FIELDS, new Object[]{"a1-7", "bob", "hello", 1_700_000_000_123L, to}, to == null ? 4 : 5);
  }

  /** What MessageEvents built before bodies were shared: the reference every assertion compares with. */
  private static JsonObject plain(String to) {
    JsonObject json = new JsonObject().put("id", "a1-7").put("from", "bob").put("text", "hello")
      .put("ts", 1_700_000_000_123L);
    return to == null ? json : json.put("to", to);
  }

  @Test
  void readsEncodesAndComparesLikeTheJsonObjectOfItsFields() {
    for (String to : new String[]{null, "carol"}) {
      EventBody body = received(to);
      JsonObject plain = plain(to);
      assertEquals(plain.encode(), body.encode());
      assertEquals(body, plain);
      assertEquals(plain, body.copy());
      assertEquals(body.copy(), plain);
      assertEquals(JsonObject.class, body.copy().getClass(), "consumers get what Vert.x's copy is");
      assertEquals(plain.hashCode(), body.hashCode());
      assertEquals(plain.hashCode(), body.copy().hashCode());
      assertEquals(plain.fieldNames().stream().toList(), body.fieldNames().stream().toList());
      assertEquals(plain.size(), body.size());
      assertEquals("hello", body.getString("text"));
      assertEquals(1_700_000_000_123L, body.getLong("ts"));
      assertEquals(to, body.getString("to"));
      assertEquals(to != null, body.containsKey("to"));
      assertNull(body.getValue("missing"));
      assertEquals(plain, new JsonObject(body.toBuffer()));
      assertEquals(plain.encode(), body.copy().encode());
    }
  }

  @Test
  void aChangedCopyIsItsOwnAndChangesNothingElse() {
    EventBody body = received("carol");
    List<JsonObject> copies = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      copies.add(body.copy());
    }
    copies.get(0).put("text", "changed").put("extra", true);
    copies.get(1).remove("from");
    copies.get(2).getMap().put("ts", 1L);
    Iterator<Map.Entry<String, Object>> it = copies.get(3).iterator();
    it.next();
    it.remove();
    assertTrue(it.hasNext());
    assertEquals("from", it.next().getKey());
    copies.get(4).getMap().entrySet().iterator().next().setValue("other-id");
    copies.get(5).clear();

    assertEquals(plain("carol").put("text", "changed").put("extra", true), copies.get(0));
    assertEquals("[id, from, text, ts, to, extra]", copies.get(0).fieldNames().toString(), "order kept, new field last");
    JsonObject noFrom = plain("carol");
    noFrom.remove("from");
    assertEquals(noFrom, copies.get(1));
    assertEquals(1L, copies.get(2).getLong("ts"));
    JsonObject noId = plain("carol");
    noId.remove("id");
    assertEquals(noId, copies.get(3));
    assertEquals("other-id", copies.get(4).getString("id"));
    assertTrue(copies.get(5).isEmpty());
    // The node's body and the untouched copy are as built.
    assertEquals(body, plain("carol"));
    assertEquals(plain("carol").encode(), body.encode());
    assertEquals(plain("carol"), copies.get(6));
  }

  @Test
  void aCopyOfAChangedCopyIsAnOrdinaryDeepCopyOfIt() {
    JsonObject changed = received(null).copy().put("nested", new JsonObject().put("k", "v"));
    JsonObject again = changed.copy();
    assertEquals(changed, again);
    again.getJsonObject("nested").put("k", "w");
    assertEquals("v", changed.getJsonObject("nested").getString("k"), "deep: the nested object was copied too");
    JsonObject untouched = received(null).copy().copy();
    assertEquals(plain(null), untouched);
    untouched.put("text", "x");
    assertEquals(plain(null), received(null).copy());
  }

  @Test
  void anIteratorRemovesNothingBeforeNext() {
    Iterator<Map.Entry<String, Object>> it = received(null).copy().iterator();
    assertThrows(IllegalStateException.class, it::remove);
  }

  @Test
  void eachConsumerOfAPublishedBodyAndOfABatchGetsItsOwnCopy(Vertx vertx, VertxTestContext test) throws Exception {
    EventBody body = received("carol");
    JsonObject batch = new JsonObject().put("events", new JsonArray(List.of(body, received(null))));
    var checks = test.checkpoint(4);
    List<Future<Void>> registered = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      registered.add(vertx.eventBus().<JsonObject>consumer("ev.one", msg -> test.verify(() -> {
        assertNotSame(body, msg.body());
        assertEquals(plain("carol"), msg.body());
        msg.body().put("text", "mine"); // the other consumer and the node must not see it
        checks.flag();
      })).completion());
      registered.add(vertx.eventBus().<JsonObject>consumer("ev.batch", msg -> test.verify(() -> {
        JsonArray events = msg.body().getJsonArray("events");
        assertEquals(plain("carol"), events.getJsonObject(0));
        assertEquals(plain(null), events.getJsonObject(1));
        events.getJsonObject(0).remove("id");
        checks.flag();
      })).completion());
    }
    Future.all(registered).onSuccess(all -> {
      vertx.eventBus().publish("ev.one", body);
      vertx.eventBus().publish("ev.batch", batch);
    });
    assertTrue(test.awaitCompletion(30, TimeUnit.SECONDS));
    if (test.failed()) {
      throw new AssertionError(test.causeOfFailure());
    }
    assertEquals(body, plain("carol"));
  }
}
