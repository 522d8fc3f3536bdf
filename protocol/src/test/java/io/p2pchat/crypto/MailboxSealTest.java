package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.MailboxSeal.Opened;
import io.p2pchat.crypto.MailboxSeal.Refusal;
import io.p2pchat.crypto.MailboxSeal.SealException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The mailbox's sealed envelope as the recipient sees it: it opens to what was sealed and names the real
 * sender; anything altered, sealed to someone else or claiming another identity does not open. The Noise X
 * message underneath is checked against the published vectors in {@link NoiseHandshakeTest}.
 */
class MailboxSealTest {
  private static final NodeIdentity ALICE = NodeIdentity.generate();
  private static final NodeIdentity BOB = NodeIdentity.generate();
  private static final NodeIdentity CAROL = NodeIdentity.generate();

  private static byte[] sealToBob(NodeIdentity sender, String text, CipherSuite suite) throws Exception {
    return MailboxSeal.seal(sender, BOB.staticPublicKey(), BOB.signingPublicKey(),
        text.getBytes(StandardCharsets.UTF_8), suite);
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void theRecipientOpensWhatWasSealedAndLearnsTheSender(CipherSuite suite) throws Exception {
    byte[] envelope = sealToBob(ALICE, "hi bob, see you tomorrow", suite);
    Opened opened = MailboxSeal.open(BOB, envelope);
    assertEquals("hi bob, see you tomorrow", new String(opened.plaintext(), StandardCharsets.UTF_8));
    assertArrayEquals(ALICE.signingPublicKey(), opened.senderSigningKey());
    assertArrayEquals(ALICE.staticPublicKey(), opened.senderStaticKey());
    assertFalse(new String(envelope, StandardCharsets.ISO_8859_1).contains("hi bob"), "no plaintext in the envelope");
    assertNotEquals(Arrays.toString(envelope), Arrays.toString(sealToBob(ALICE, "hi bob, see you tomorrow", suite)),
        "a fresh ephemeral key each time: two seals of one text differ");
  }

  @Test
  void everyLengthUpToTheMaximumRoundTrips() throws Exception {
    Random random = new Random(17);
    for (int length : new int[] {0, 1, 158, 159, 1000, MailboxSeal.MAX_PLAINTEXT - 1, MailboxSeal.MAX_PLAINTEXT}) {
      byte[] text = new byte[length];
      random.nextBytes(text);
      byte[] envelope = MailboxSeal.seal(ALICE, BOB.staticPublicKey(), BOB.signingPublicKey(), text,
          CipherSuite.AES_GCM);
      assertEquals(MailboxSeal.envelopeLength(length), envelope.length, "length " + length);
      assertArrayEquals(text, MailboxSeal.open(BOB, envelope).plaintext(), "length " + length);
    }
    assertThrows(IllegalArgumentException.class, () -> MailboxSeal.seal(ALICE, BOB.staticPublicKey(),
        BOB.signingPublicKey(), new byte[MailboxSeal.MAX_PLAINTEXT + 1], CipherSuite.AES_GCM));
  }

  @Test
  void theSizeTellsTheLengthOnlyToWithinAPaddingBlock() {
    assertEquals(353, MailboxSeal.envelopeLength(0));
    assertEquals(353, MailboxSeal.envelopeLength(158), "every short line looks the same");
    assertEquals(353 + MailboxSeal.PAD_BLOCK, MailboxSeal.envelopeLength(159));
    assertEquals(MailboxSeal.MAX_ENVELOPE, MailboxSeal.envelopeLength(MailboxSeal.MAX_PLAINTEXT));
    assertEquals(65536, MailboxSeal.MAX_ENVELOPE, "format byte + one Noise message");
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void alteringAnyByteMakesItUnopenable(CipherSuite suite) throws Exception {
    byte[] envelope = sealToBob(ALICE, "transfer 10 euros", suite);
    for (int i = 0; i < envelope.length; i++) {
      byte[] bad = envelope.clone();
      bad[i] ^= 0x01;
      SealException e = assertThrows(SealException.class, () -> MailboxSeal.open(BOB, bad), "byte " + i);
      // The format byte names the suite, which the Noise protocol name binds: 1 <-> 0 and 2 <-> 3 are unknown.
      assertEquals(i == 0 ? Refusal.UNKNOWN_FORMAT : Refusal.UNAUTHENTICATED, e.refusal(), "byte " + i);
    }
    byte[] cut = Arrays.copyOf(envelope, envelope.length - 1); // under one padding block: refused unread
    assertEquals(Refusal.MALFORMED, assertThrows(SealException.class, () -> MailboxSeal.open(BOB, cut)).refusal());
    byte[] longer = sealToBob(ALICE, "x".repeat(400), suite);
    byte[] longerCut = Arrays.copyOf(longer, longer.length - 1);
    assertEquals(Refusal.UNAUTHENTICATED,
        assertThrows(SealException.class, () -> MailboxSeal.open(BOB, longerCut)).refusal());
    assertEquals(Refusal.MALFORMED, assertThrows(SealException.class,
        () -> MailboxSeal.open(BOB, new byte[MailboxSeal.MAX_ENVELOPE + 1])).refusal());
    assertEquals("transfer 10 euros", new String(MailboxSeal.open(BOB, envelope).plaintext(), StandardCharsets.UTF_8),
        "the genuine envelope still opens");
  }

  @Test
  void onlyTheRecipientItWasSealedToOpensIt() throws Exception {
    byte[] envelope = sealToBob(ALICE, "for bob only", CipherSuite.AES_GCM);
    assertEquals(Refusal.UNAUTHENTICATED,
        assertThrows(SealException.class, () -> MailboxSeal.open(CAROL, envelope)).refusal());
    // Sealed to bob's static key but for carol's mailbox: the prologue differs, bob refuses it too.
    byte[] otherMailbox = MailboxSeal.seal(ALICE, BOB.staticPublicKey(), CAROL.signingPublicKey(),
        "moved".getBytes(StandardCharsets.UTF_8), CipherSuite.AES_GCM);
    assertEquals(Refusal.UNAUTHENTICATED,
        assertThrows(SealException.class, () -> MailboxSeal.open(BOB, otherMailbox)).refusal());
  }

  @Test
  void anotherSenderIsReportedAsSuchAndCannotClaimAnIdentityItDoesNotHold() throws Exception {
    Opened fromCarol = MailboxSeal.open(BOB, sealToBob(CAROL, "it's alice here", CipherSuite.AES_GCM));
    assertArrayEquals(CAROL.signingPublicKey(), fromCarol.senderSigningKey(), "the sender is who sealed it");
    assertFalse(Arrays.equals(ALICE.signingPublicKey(), fromCarol.senderSigningKey()));
    // Carol claims alice's identity, with alice's real binding signature (over alice's static key):
    byte[] forged = MailboxSeal.seal(CAROL, ALICE.signingPublicKey(), ALICE.staticBinding(), BOB.staticPublicKey(),
        BOB.signingPublicKey(), "it's alice here".getBytes(StandardCharsets.UTF_8), CipherSuite.AES_GCM);
    assertEquals(Refusal.BAD_BINDING, assertThrows(SealException.class, () -> MailboxSeal.open(BOB, forged)).refusal());
  }

  @Test
  void randomAndMutatedEnvelopesOnlyEverRaiseSealException() throws Exception {
    Random random = new Random(20261205);
    byte[] genuine = sealToBob(ALICE, "a genuine one to mutate", CipherSuite.AES_GCM);
    for (int i = 0; i < 5_000; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = new byte[random.nextInt(2 * MailboxSeal.MIN_ENVELOPE)]; // the empty one included
        random.nextBytes(input);
        if (input.length > 0 && random.nextBoolean()) {
          input[0] = (byte) (1 + random.nextInt(2)); // a known format, so the Noise message is read
        }
      } else {
        input = genuine.clone();
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
        }
      }
      byte[] bytes = input;
      assertThrows(SealException.class, () -> MailboxSeal.open(BOB, bytes), "input " + i);
    }
  }

  @Test
  void anUnknownFormatIsRefusedAsSuch() throws Exception {
    byte[] envelope = sealToBob(ALICE, "v9", CipherSuite.AES_GCM);
    envelope[0] = 9;
    assertEquals(Refusal.UNKNOWN_FORMAT, assertThrows(SealException.class, () -> MailboxSeal.open(BOB, envelope))
        .refusal());
  }
}
