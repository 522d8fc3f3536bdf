package io.p2pchat.ui;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UiOptionsTest {

  @Test
  void defaultsWhenTheConfigSaysNothing() {
    UiOptions options = new UiOptions(new JsonObject());
    assertEquals(UiOptions.DEFAULT_HTTP_HOST, options.getHttpHost());
    assertEquals(UiOptions.DEFAULT_HTTP_PORT, options.getHttpPort());
    assertEquals(UiOptions.DEFAULT_EVENT_BUS_PREFIX, options.getEventBusPrefix());
    assertEquals(UiOptions.DEFAULT_LOG_DIR, options.getLogDir());
  }

  @Test
  void readsTheNodeKeysNestedAsConfFilesWriteThem() {
    UiOptions options = new UiOptions(new JsonObject().put("http", new JsonObject().put("host", "::1").put("port", 8123))
        .put("eventBusPrefix", "n1").put("nick", "alice").put("logDir", "/tmp/l"));
    assertEquals("::1", options.getHttpHost());
    assertEquals(8123, options.getHttpPort());
    assertEquals("n1", options.getEventBusPrefix());
    assertEquals("alice", options.getNick());
    assertEquals("/tmp/l", options.getLogDir());
  }

  @Test
  void readsTheFlatDottedFormToo() {
    UiOptions options = new UiOptions(new JsonObject().put("http.host", "::1").put("http.port", 8123));
    assertEquals("::1", options.getHttpHost());
    assertEquals(8123, options.getHttpPort());
    assertEquals(0, new UiOptions(new JsonObject().put("http.port", 0)).getHttpPort());
  }

  @Test
  void badValuesFailAtOnce() {
    assertThrows(IllegalArgumentException.class, () -> new UiOptions(new JsonObject().put("http.port", 70000)));
    assertThrows(IllegalArgumentException.class,
        () -> new UiOptions(new JsonObject().put("http", new JsonObject().put("port", 70000))));
    assertThrows(IllegalArgumentException.class, () -> new UiOptions(new JsonObject().put("http.port", "web")));
    assertThrows(IllegalArgumentException.class, () -> new UiOptions().setMaxSockets(0));
    assertThrows(IllegalArgumentException.class, () -> new UiOptions().setEventBusPrefix(" "));
  }

  @Test
  void urlHostBracketsIpv6AndMapsWildcardsToLoopback() {
    assertEquals("127.0.0.1", UiVerticle.urlHost("0.0.0.0"));
    assertEquals("[::1]", UiVerticle.urlHost("::1"));
    assertEquals("localhost", UiVerticle.urlHost("localhost"));
  }
}
