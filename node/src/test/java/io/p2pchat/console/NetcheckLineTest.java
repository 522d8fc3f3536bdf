package io.p2pchat.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The console's {@code /netcheck} port-mapping line says what is mapped, or why nothing is, in words. */
class NetcheckLineTest {

  @Test
  void mapped() {
    JsonObject status = new JsonObject().put("state", "mapped").put("reported", "told")
      .put("mapping", new JsonObject().put("protocol", "pcp").put("external", "203.0.113.7:41000"));
    assertEquals("pcp forwards 203.0.113.7:41000 to you (peers told: told)", ConsoleVerticle.portMapLine(status));
  }

  @Test
  void offSaysWhyItCanBe() {
    assertEquals("off (portMapping false, or no LAN address a gateway could forward to)",
      ConsoleVerticle.portMapLine(new JsonObject().put("state", "off")));
  }

  @Test
  void aGatewayThatAnsweredNothingIsNamed() {
    JsonObject status = new JsonObject().put("state", "failed").put("gateway", "192.168.1.1").put("answered", new JsonArray());
    assertEquals("failed (192.168.1.1 answered none of NAT-PMP, PCP, UPnP)", ConsoleVerticle.portMapLine(status));
  }

  @Test
  void whatAnsweredIsListedWithoutBrackets() {
    JsonObject status = new JsonObject().put("state", "failed").put("gateway", "192.168.1.1")
      .put("answered", new JsonArray().add("upnp"));
    assertEquals("failed (192.168.1.1 answered upnp)", ConsoleVerticle.portMapLine(status));
  }

  @Test
  void noDefaultGateway() {
    JsonObject status = new JsonObject().put("state", "failed").putNull("gateway").put("answered", new JsonArray());
    assertEquals("failed (no default gateway)", ConsoleVerticle.portMapLine(status));
  }
}
