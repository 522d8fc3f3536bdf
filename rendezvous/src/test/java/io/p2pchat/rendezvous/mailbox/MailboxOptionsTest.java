package io.p2pchat.rendezvous.mailbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.common.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The {@code mailbox} configuration object: defaults, a round trip through JSON, and refusals naming the key. */
class MailboxOptionsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    MailboxOptions o = new MailboxOptions(new JsonObject());
    assertEquals(7 * 24 * 3600, o.getTtlSeconds());
    assertEquals(65536, o.getMaxEnvelopeBytes());
    assertEquals(10_000, o.getMaxPerRecipient());
    assertEquals(1024 * 1024 * 1024, o.getMaxTotalBytes());
    assertEquals("mailbox.db", o.getFile());
  }

  @Test
  void aRoundTripKeepsEveryKey() {
    MailboxOptions o = new MailboxOptions().setFile("m.db").setTtlSeconds(60).setMaxEnvelopeBytes(1000)
        .setMaxPerRecipient(2).setMaxBytesPerRecipient(3).setMaxPerDepositor(4).setMaxBytesPerDepositor(5)
        .setMaxTotal(6).setMaxTotalBytes(7).setNoticeTtlSeconds(8).setMaxNoticesPerDepositor(9).setMaxBatch(10);
    assertEquals(o.toJson(), new MailboxOptions(o.toJson()).toJson());
    assertEquals(o.toJson(), new MailboxOptions(o).toJson());
  }

  @Test
  void aBadValueIsRefusedNamingItsKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> new MailboxOptions(new JsonObject().put("maxPerRecipient", 0)));
    assertTrue(e.getMessage().contains("maxPerRecipient"), e.getMessage());
    assertThrows(ConfigException.class, () -> new MailboxOptions(new JsonObject().put("ttlSeconds", "a week")));
    assertThrows(ConfigException.class, () -> new MailboxOptions(new JsonObject().put("maxEnvelopeBytes", 70_000)));
    assertThrows(IllegalArgumentException.class, () -> new MailboxOptions().setFile("../elsewhere.db"));
    assertThrows(IllegalArgumentException.class, () -> new MailboxOptions().setMaxBatch(0));
  }
}
