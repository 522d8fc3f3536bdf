package io.p2pchat.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Issue 3, test 8 (unit part): the console's line formats and what peer text may not do. */
class ConsoleFormatTest {

  private static final long TS = 1_700_000_000_123L;
  private static final String CLOCK = "[" + DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault())
    .format(Instant.ofEpochMilli(TS)) + "]";

  @Test
  void roomAndPrivateLines() {
    assertEquals(CLOCK + " bob: hello", ConsoleFormat.message(TS, "bob", null, "hello"));
    assertEquals(CLOCK + " bob (private): psst", ConsoleFormat.message(TS, "bob", "private", "psst"));
    assertEquals(CLOCK + " ?: x", ConsoleFormat.message(TS, null, null, "x"));
  }

  @Test
  void multiLineTextContinuesIndented() {
    assertEquals(CLOCK + " bob: one\n  two\n  \n  four",
      ConsoleFormat.message(TS, "bob", null, "one\ntwo\r\n\nfour"));
    assertEquals(CLOCK + " bob: \n  ", ConsoleFormat.message(TS, "bob", null, "\n"));
  }

  static Stream<Arguments> paths() {
    return Stream.of(
      Arguments.of("direct: the peer's address", new JsonObject().put("state", "direct").put("address", "198.51.100.7:4000"),
        "direct 198.51.100.7:4000"),
      Arguments.of("relayed over UDP: the relay's address", new JsonObject().put("state", "relayed")
        .put("address", "203.0.113.10:7000").put("transport", "udp"), "relayed 203.0.113.10:7000"),
      Arguments.of("relayed over TLS: via the rendezvous's TLS port", new JsonObject().put("state", "relayed")
        .put("address", "203.0.113.10:7443").put("transport", "tls"), "relayed over TLS via 203.0.113.10:7443"),
      Arguments.of("over TLS to a name", new JsonObject().put("state", "relayed")
        .put("address", "rdv.example.org:443").put("transport", "tls"), "relayed over TLS via rdv.example.org:443"),
      Arguments.of("no address yet", new JsonObject().put("state", "connecting"), "connecting -"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void aPathLineSaysWhereThePathGoes(String name, JsonObject peer, String shown) {
    assertEquals(shown, ConsoleFormat.pathAndAddress(peer));
  }

  static Stream<Arguments> dangerous() {
    return Stream.of(
      Arguments.of("ESC colour", "\u001b[31mred\u001b[0m", "\\x1b[31mred\\x1b[0m"),
      Arguments.of("clear screen", "\u001b[2J", "\\x1b[2J"),
      Arguments.of("bell", "ding\u0007", "ding\\x07"),
      Arguments.of("carriage return rewriting the line", "ok\rFAKE", "ok\\x0dFAKE"),
      Arguments.of("tab", "a\tb", "a\\x09b"),
      Arguments.of("NUL", "a\u0000b", "a\\x00b"),
      Arguments.of("DEL", "a\u007fb", "a\\x7fb"),
      Arguments.of("C1 CSI", "a\u009b31mb", "a\\x9b31mb"),
      Arguments.of("bidi RLO", "abc\u202Etxt.exe", "abc\\u202etxt.exe"),
      Arguments.of("bidi isolates", "\u2066x\u2069", "\\u2066x\\u2069"),
      Arguments.of("RLM/LRM", "\u200Fa\u200E", "\\u200fa\\u200e"),
      Arguments.of("harmless unicode", "ça va? 👋 日本", "ça va? 👋 日本"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dangerous")
  void peerTextIsShownNeverInterpreted(String name, String text, String shown) {
    assertEquals(shown, ConsoleFormat.escape(text));
    assertEquals(CLOCK + " bob: " + shown, ConsoleFormat.message(TS, "bob", null, text));
  }

  @Test
  void nicksAreEscapedToo() {
    assertEquals(CLOCK + " b\\x1b[1mob: hi", ConsoleFormat.message(TS, "b\u001b[1mob", null, "hi"));
  }

  @Test
  void notDeliveredShowsAPreview() {
    assertEquals("! not delivered to bob: short (timeout)", ConsoleFormat.notDelivered("bob", "short", "timeout"));
    String longText = "x".repeat(ConsoleFormat.FAILED_PREVIEW_CHARS) + "TAIL";
    assertEquals("! not delivered to bob: " + "x".repeat(ConsoleFormat.FAILED_PREVIEW_CHARS) + "…",
      ConsoleFormat.notDelivered("bob", longText, null));
    assertEquals("! not delivered to bob: a b\\x1b", ConsoleFormat.notDelivered("bob", "a\nb\u001b", null));
    assertEquals("! not delivered to bob: ", ConsoleFormat.notDelivered("bob", null, null));
  }

  @Test
  void aRoomMessageThatReachedNobodySaysWhyWithoutAPeer() {
    assertEquals("! not delivered: nobody else in room lobby: hello",
      ConsoleFormat.notDelivered(null, "hello", "nobody else in room lobby"));
    assertEquals("! not delivered: nobody else in room lobby", ConsoleFormat.notDelivered(null, null, "nobody else in room lobby"));
  }

  /** {@code /history} says which of our messages are not delivered yet, and how far they got. */
  @Test
  void historySaysWhatIsPrivateAndWhichOfOursAreNotDeliveredYet() {
    JsonObject in = new JsonObject().put("direction", "in").put("state", "delivered");
    JsonObject out = new JsonObject().put("direction", "out");
    assertEquals(null, ConsoleFormat.historyQualifier(in.copy()));
    assertEquals("private", ConsoleFormat.historyQualifier(in.copy().put("to", "alice")));
    assertEquals(null, ConsoleFormat.historyQualifier(out.copy().put("state", "delivered")));
    assertEquals("private to bob", ConsoleFormat.historyQualifier(out.copy().put("to", "bob").put("state", "delivered")));
    assertEquals("private to bob, queued", ConsoleFormat.historyQualifier(out.copy().put("to", "bob").put("state", "queued")));
    assertEquals("sending", ConsoleFormat.historyQualifier(out.copy().put("state", "sending")));
    assertEquals("private to bob, failed", ConsoleFormat.historyQualifier(out.copy().put("to", "bob").put("state", "failed")));
  }
}
