package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandshakePayloadTest {
  private static final long SEED = 77L;

  @Test
  void roundTripAndForwardCompatibleTrailingBytes() throws Exception {
    NodeIdentity id = NodeIdentity.generate();
    HandshakePayload p = HandshakePayload.of(id, "zoë");
    byte[] enc = p.encode();
    assertTrue(enc.length <= HandshakePayload.MAX_LENGTH);
    HandshakePayload back = HandshakePayload.decode(enc);
    assertEquals("zoë", back.nick());
    assertArrayEquals(id.signingPublicKey(), back.signingKey());
    assertTrue(back.verify(id.staticPublicKey()));
    byte[] longer = Arrays.copyOf(enc, enc.length + 10);
    assertTrue(HandshakePayload.decode(longer).verify(id.staticPublicKey()));
  }

  @Test
  void bindingFailsForAnotherStaticKeyOrATamperedField() throws Exception {
    NodeIdentity id = NodeIdentity.generate();
    byte[] enc = HandshakePayload.of(id, "alice").encode();
    assertFalse(HandshakePayload.decode(enc).verify(NodeIdentity.generate().staticPublicKey()));
    assertFalse(HandshakePayload.decode(enc).verify(null));
    for (int i = 2 + "alice".length(); i < enc.length; i++) { // key and signature bytes
      byte[] bad = enc.clone();
      bad[i] ^= 1;
      assertFalse(HandshakePayload.decode(bad).verify(id.staticPublicKey()), "byte " + i);
    }
  }

  @Test
  void rejectsGarbageWithHandshakeExceptionOnly() {
    byte[] valid = HandshakePayload.of(NodeIdentity.generate(), "bob").encode();
    assertThrows(HandshakeException.class, () -> HandshakePayload.decode(new byte[0]));
    assertThrows(HandshakeException.class, () -> HandshakePayload.decode(Arrays.copyOf(valid, valid.length - 1)));
    byte[] v2 = valid.clone();
    v2[0] = 2;
    assertThrows(HandshakeException.class, () -> HandshakePayload.decode(v2));
    byte[] bigNick = valid.clone();
    bigNick[1] = (byte) 200;
    assertThrows(HandshakeException.class, () -> HandshakePayload.decode(bigNick));
    byte[] badUtf8 = valid.clone();
    badUtf8[2] = (byte) 0xC0;
    assertThrows(HandshakeException.class, () -> HandshakePayload.decode(badUtf8));
    Random rnd = new Random(SEED);
    for (int i = 0; i < 10_000; i++) {
      byte[] junk = new byte[rnd.nextInt(300)];
      rnd.nextBytes(junk);
      if (rnd.nextBoolean() && junk.length > 1) {
        junk[0] = 1;
      }
      try {
        HandshakePayload.decode(junk).verify(new byte[32]);
      } catch (HandshakeException expected) {
        // fine: rejected
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + SEED + " iteration " + i + ": " + e, e);
      }
    }
  }

  @Test
  void nickBounds() {
    NodeIdentity id = NodeIdentity.generate();
    assertThrows(IllegalArgumentException.class, () -> HandshakePayload.of(id, ""));
    assertThrows(IllegalArgumentException.class, () -> HandshakePayload.of(id, "x".repeat(65)));
    HandshakePayload.of(id, "x".repeat(64));
  }
}
