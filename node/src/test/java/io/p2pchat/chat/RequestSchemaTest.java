package io.p2pchat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Named cases of bodies and what each schema says of them; no Vert.x. */
class RequestSchemaTest {

  private static final String NICK_RULE = "(1 to 32 letters, digits, '_', '.' or '-')";

  private record Case(String name, RequestSchema schema, Object body, String refusal) {
  }

  @Test
  void everyCaseAnswersItsRefusalOrNothing() {
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i <= RequestSchema.MAX_ARRAY; i++) {
      tooMany.add("t");
    }
    RequestSchema send = ChatVerticle.SEND;
    RequestSchema history = ChatVerticle.HISTORY;
    RequestSchema none = RequestSchema.empty();
    RequestSchema accept = RequestSchema.required("nick", RequestSchema.Kind.NICK);
    List<Case> cases = List.of(
      new Case("one text", send, new JsonObject().put("text", "hi"), null),
      new Case("a batch to bob", send, new JsonObject().put("texts", new JsonArray().add("a").add("b")).put("to", "bob"), null),
      new Case("a batch decoded from JSON text holds a List", send, new JsonObject("{\"texts\":[\"a\"]}"), null),
      new Case("misspelled to", send, new JsonObject().put("text", "for bob only").put("ot", "bob"), "unknown field 'ot'"),
      new Case("a number for text", send, new JsonObject().put("text", 5), "text must be a string"),
      new Case("a JSON null for text", send, new JsonObject().putNull("text"), "text must be a string"),
      new Case("to not a nick", send, new JsonObject().put("text", "hi").put("to", "bob smith"), "to must be a nick " + NICK_RULE),
      new Case("to too long", send, new JsonObject().put("text", "hi").put("to", "b".repeat(33)), "to must be a nick " + NICK_RULE),
      new Case("to of 32", send, new JsonObject().put("text", "hi").put("to", "b".repeat(32)), null),
      new Case("a non-ASCII nick", send, new JsonObject().put("text", "hi").put("to", "zoë"), null),
      new Case("texts not an array", send, new JsonObject().put("texts", "hi"), "texts must be an array of 1 to 1000 strings"),
      new Case("texts empty", send, new JsonObject().put("texts", new JsonArray()), "texts must be an array of 1 to 1000 strings"),
      new Case("texts too many", send, new JsonObject().put("texts", tooMany), "texts must be an array of 1 to 1000 strings"),
      new Case("a number in texts", send, new JsonObject().put("texts", new JsonArray().add("a").add(7)), "texts[1] must be a string"),
      new Case("a string body", send, "hello", "body must be a JSON object (got a string)"),
      new Case("a number body", send, 42, "body must be a JSON object (got a number)"),
      new Case("an array body", send, new JsonArray().add("hi"), "body must be a JSON object (got an array)"),
      new Case("no body where text is needed", send, null, "body must be a JSON object (got nothing)"),
      new Case("history: nothing", history, null, null),
      new Case("history: both", history, new JsonObject().put("peer", "bob").put("limit", 5), null),
      new Case("history: limit as a long", history, new JsonObject().put("limit", 5L), null),
      new Case("history: limit zero", history, new JsonObject().put("limit", 0), "limit must be a positive integer"),
      new Case("history: limit fractional", history, new JsonObject().put("limit", 2.5), "limit must be a positive integer"),
      new Case("history: limit beyond int", history, new JsonObject().put("limit", 1L << 40), "limit must be a positive integer"),
      new Case("history: limit as a string", history, new JsonObject().put("limit", "5"), "limit must be a positive integer"),
      new Case("history: peer not a nick", history, new JsonObject().put("peer", 3), "peer must be a nick " + NICK_RULE),
      new Case("no fields: {}", none, new JsonObject(), null),
      new Case("no fields: null", none, null, null),
      new Case("no fields: any field", none, new JsonObject().put("verbose", true), "unknown field 'verbose'"),
      new Case("no fields: a string", none, "peers?", "body must be a JSON object (got a string)"),
      new Case("accept: nick", accept, new JsonObject().put("nick", "bob"), null),
      new Case("accept: missing", accept, new JsonObject(), "nick is required"),
      new Case("accept: null body", accept, null, "body must be a JSON object (got nothing)"),
      new Case("accept: boolean", accept, new JsonObject().put("nick", true), "nick must be a nick " + NICK_RULE),
      new Case("the first problem in field order wins", send,
        new JsonObject().put("text", 1).put("ot", "bob"), "text must be a string"));
    for (Case c : cases) {
      assertEquals(c.refusal, c.schema.refusal(c.body), c.name);
    }
  }

  @Test
  void nickCheckAgreesWithTheRendezvousPattern() {
    for (String s : Arrays.asList("a", "A.b-c_9", "ünïcödé", "日本", "", " ", "a b", "a/b", "x".repeat(32), "x".repeat(33),
      "é".repeat(32), "é".repeat(33), "tab\t")) {
      assertEquals(io.p2pchat.wire.Control.NICK_PATTERN.matcher(s).matches(), RequestSchema.isNick(s), s);
    }
    assertTrue(RequestSchema.isNick("bob"));
    assertFalse(RequestSchema.isNick("bob!"));
    assertNull(ChatVerticle.SEND.refusal(new JsonObject().put("text", "x").put("to", "bob")));
  }
}
