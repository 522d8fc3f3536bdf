package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigLoader;
import io.p2pchat.rendezvous.mailbox.MailboxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The rendezvous's {@code mailbox} configuration: on with the documented defaults when absent, off with
 * {@code false} or {@code enabled: false}, its keys nested or flat; an unknown key, a bad value or a value that
 * is neither false nor an object stops start-up with one line naming {@code mailbox.KEY}.
 */
class MailboxConfigTest {

  private static RendezvousOptions options(JsonObject config) {
    return new RendezvousOptions(ConfigLoader.normalize(config, RendezvousOptions.KEYS));
  }

  private static String refusal(JsonObject config) {
    return assertThrows(ConfigException.class, () -> options(config)).getMessage();
  }

  @Test
  void absentIsOnWithTheDefaultsAndFalseIsOff() {
    assertEquals(new MailboxOptions().toJson(), options(new JsonObject()).mailbox().toJson());
    assertNull(options(new JsonObject().put("mailbox", false)).mailbox());
    assertNull(options(new JsonObject().put("mailbox", new JsonObject().put("enabled", false))).mailbox());
    assertNull(options(new JsonObject().put("mailbox.enabled", false)).mailbox());
    assertEquals(5, options(new JsonObject().put("mailbox.maxPerRecipient", 5)).mailbox().getMaxPerRecipient());
    assertEquals(6, options(new JsonObject().put("mailbox", new JsonObject().put("maxTotal", 6))).mailbox().getMaxTotal());
  }

  @Test
  void aBadMailboxSettingStopsStartUpNamingIt() {
    assertEquals("unknown key 'mailbox.maxPerRecipent' (did you mean 'mailbox.maxPerRecipient'?)",
      refusal(new JsonObject().put("mailbox", new JsonObject().put("maxPerRecipent", 5))));
    assertEquals("mailbox.maxPerRecipient must be an integer from 1 to 2147483647 (got 0)",
      refusal(new JsonObject().put("mailbox", new JsonObject().put("maxPerRecipient", 0))));
    assertEquals("mailbox must be false or an object of mailbox settings (got 5)",
      refusal(new JsonObject().put("mailbox", 5)));
    assertEquals("mailbox.enabled must be true or false (got yes)",
      refusal(new JsonObject().put("mailbox", new JsonObject().put("enabled", "yes"))));
    assertEquals("mailbox.file must be a file name without a directory (got ../m.db)",
      refusal(new JsonObject().put("mailbox.file", "../m.db")));
  }
}
