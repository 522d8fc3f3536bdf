package io.p2pchat.crypto;

import io.p2pchat.wire.MailboxControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DepositIdsTest {

  private static final byte[] BOB = new byte[32];
  private static final byte[] CAROL = new byte[32];

  static {
    CAROL[0] = 1;
  }

  @Test
  void anIdNamesNothingAndComesBackAfterARestart(@TempDir Path dir) throws Exception {
    DepositIds ids = DepositIds.loadOrCreate(dir);
    String tag = "r" + "5f1c0a1b2c3d-" + "9".repeat(20);
    String did = ids.seal(tag, BOB);
    assertTrue(MailboxControl.DEPOSIT_ID.matcher(did).matches(), did);
    assertFalse(did.contains("5f1c"), "the message id does not show");
    assertNotEquals(did, ids.seal(tag, CAROL), "copies of a room message share nothing visible");
    assertEquals(Optional.of(tag), DepositIds.loadOrCreate(dir).open(did, BOB), "the same key after a restart");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(DepositIds.FILE))));
  }

  @Test
  void theLongestTagFitsAndAnotherNodesOrAnAlteredIdOpensToNothing(@TempDir Path dir) throws Exception {
    DepositIds ids = DepositIds.loadOrCreate(dir);
    String longest = ids.seal("x".repeat(DepositIds.MAX_TAG_BYTES), BOB);
    assertTrue(MailboxControl.DEPOSIT_ID.matcher(longest).matches(), longest.length() + " characters");
    assertThrows(IllegalArgumentException.class, () -> ids.seal("x".repeat(DepositIds.MAX_TAG_BYTES + 1), BOB));
    String did = ids.seal("d1-1", BOB);
    assertEquals(Optional.empty(), new DepositIds(new byte[16]).open(did, BOB));
    assertEquals(Optional.empty(), ids.open(did, CAROL), "another mailbox");
    assertEquals(Optional.empty(), ids.open("not-ours", BOB));
    assertEquals(Optional.empty(), ids.open("d:5f1c-1:0a0b0c0d", BOB));
  }
}
