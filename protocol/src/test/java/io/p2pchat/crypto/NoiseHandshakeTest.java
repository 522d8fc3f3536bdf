package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.NoiseHandshake.Role;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NoiseHandshakeTest {
  private static final HexFormat HEX = HexFormat.of();

  // Inputs and expected outputs of the cacophony test vectors (as shipped with snow, tests/vectors/cacophony.txt)
  // for Noise_XX_25519_{ChaChaPoly,AESGCM}_SHA256: data only, the code under test is ours.
  private static final String PROLOGUE = "4a6f686e2047616c74";
  private static final String INIT_STATIC = "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1";
  private static final String INIT_EPHEMERAL = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
  private static final String RESP_STATIC = "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893";
  private static final String RESP_EPHEMERAL = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";
  private static final String[] PAYLOADS = {
      "4c756477696720766f6e204d69736573", "4d757272617920526f746862617264", "462e20412e20486179656b",
      "4361726c204d656e676572", "4a65616e2d426170746973746520536179", "457567656e2042f6686d20766f6e2042617765726b"};
  private static final String CHACHA_HASH = "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e";
  private static final String[] CHACHA_CIPHERTEXTS = {
      "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573",
      "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad",
      "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030",
      "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df",
      "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5",
      "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"};
  private static final String AESGCM_HASH = "1b7aefb1125762aa21a252890d00af54519638b76437444538f9a52f21e2e0dc";
  private static final String[] AESGCM_CIPHERTEXTS = {
      "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573",
      "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843757117acceb05bd7a45733bc22015c97a9d0cbaf41b80446d5988ff5127235d76b79eade70f473d6a4ef521fdcbeda5340d01e028ba793fc059f2724a83af05f12dda0448a7621a926b379a92477fd",
      "c90f1cf77eba4e50edb038991565e36c9758943a989229b6051244dc4fbecb6946744b401af2ee1a5881b65fbb87fd07cb6a328ececc9ce6ce84c399dc332d4fd521fa4bb7f467ce909395",
      "bc3fa77f6aca3e8466d7dc6bea10013e88a6a29add5132b461806c",
      "250b01074cdfe0df2ecf8ccbf1737b15a2ddb5b52fd9a396604e9c793cee3b3bb9",
      "449d4d433b3cdc3d02bf6fc881774b9df54366ebcffb9689bb13f14709822cd7ef42bcdb4d"};

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void matchesCacophonyTestVectors(CipherSuite suite) throws Exception {
    String[] expected = suite == CipherSuite.CHACHA20_POLY1305 ? CHACHA_CIPHERTEXTS : AESGCM_CIPHERTEXTS;
    String hash = suite == CipherSuite.CHACHA20_POLY1305 ? CHACHA_HASH : AESGCM_HASH;
    NoiseHandshake init = NoiseHandshake.withFixedKeys(Role.INITIATOR, HEX.parseHex(INIT_STATIC),
        HEX.parseHex(INIT_EPHEMERAL), HEX.parseHex(PROLOGUE), suite);
    NoiseHandshake resp = NoiseHandshake.withFixedKeys(Role.RESPONDER, HEX.parseHex(RESP_STATIC),
        HEX.parseHex(RESP_EPHEMERAL), HEX.parseHex(PROLOGUE), suite);
    for (int i = 0; i < 3; i++) {
      NoiseHandshake writer = i % 2 == 0 ? init : resp;
      NoiseHandshake reader = i % 2 == 0 ? resp : init;
      byte[] msg = writer.writeMessage(HEX.parseHex(PAYLOADS[i]));
      assertEquals(expected[i], HEX.formatHex(msg), "message " + i);
      assertEquals(PAYLOADS[i], HEX.formatHex(reader.readMessage(msg)));
    }
    assertEquals(hash, HEX.formatHex(init.handshakeHash()));
    assertEquals(hash, HEX.formatHex(resp.handshakeHash()));
    // After XX's 3 messages the responder sends first.
    assertTransportVectors(resp.split(), init.split(), expected, 3);
  }

  /**
   * Transport messages {@code first..} of a vector file alternate between the two sides, starting with
   * {@code firstSender}; each must encrypt to the expected ciphertext and decrypt back.
   */
  private static void assertTransportVectors(SessionKeys firstSender, SessionKeys other, String[] expected, int first)
      throws Exception {
    long[] counters = new long[2]; // per direction: first sender's, the other's
    for (int i = first; i < PAYLOADS.length; i++) {
      boolean fromFirst = (i - first) % 2 == 0;
      TransportCipher send = fromFirst ? firstSender.send() : other.send();
      TransportCipher recv = fromFirst ? other.receive() : firstSender.receive();
      long n = counters[fromFirst ? 0 : 1]++;
      byte[] pt = HEX.parseHex(PAYLOADS[i]);
      byte[] ct = new byte[pt.length + 16];
      send.encrypt(n, new byte[0], 0, 0, pt, 0, pt.length, ct, 0);
      assertEquals(expected[i], HEX.formatHex(ct), "transport message " + i);
      byte[] back = new byte[pt.length];
      recv.decrypt(n, new byte[0], 0, 0, ct, 0, ct.length, back, 0);
      assertArrayEquals(pt, back);
    }
  }

  // Noise_IK_25519_{ChaChaPoly,AESGCM}_SHA256 from the same cacophony file (snow commit 8ac60f5,
  // tests/vectors/cacophony.txt): same keys, prologue and payloads as above, plus the responder's public
  // static key the initiator knows beforehand. Data only.
  private static final String IK_REMOTE_STATIC = "31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62";
  private static final String IK_CHACHA_HASH = "0b0f68fb0c27e03ce9b97565995ed4838cc0581b762ef72b062f6a546419fad7";
  private static final String[] IK_CHACHA_CIPHERTEXTS = {
      "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944718da798efbcd91528520204f904b9bd6c7413dccdc214d951e15253e39987f18146e8cd0873654207148333479d4d16c289f0294b29960a72f48e0b7bba2e89083169825e59642148d492020664ccf7",
      "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1448088435361e70b2ed446e6c9ec387d1d6b3b840f194e373979d241b203c4acafccf5",
      "050e9f3c8fac16b68dbce8f8c4bfbf6617c897f9ada4aa29aa19c8",
      "344233a6cabb7141d80f3da2fedc311d9646bbb0f505afe403a667",
      "62cdeeb172ad7ade7aa7d9e069da5790f12331bfa00177787a1d0810c67dc3b2b4",
      "029bead1b40992327044d409d9a1f3ad8f36c3c452775d557e18bbeb2e8dfcead32d514024"};
  private static final String IK_AESGCM_HASH = "669c8640d9e42a3cda2f232f78597ceefb01daa6e3df81181ccce6fc6b5026bf";
  private static final String[] IK_AESGCM_CIPHERTEXTS = {
      "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444e417bc55c7a8166c993356c1be41ef67818a292426f301556c7f26b21d25ddb097153891a9a956cff47b83e63ad8d701c1342c209cff1ca5ecd43402762ac249e3bd3a4c0a145fe07cb5dae28ea13a3",
      "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843af2ccf9972e22afc67aeafcd25162f7f98c363b7762e3e4cb7d272e39f27a5",
      "66acfc92e3197de166809e6d4d5d003dcc819a84bc3522ca53c9d9",
      "71f89aa6533a6de70b0826864dd75f60806ee40170c16290189eb3",
      "4795a3423550c8bf00386bd496a3e2c76c10669d2a75ab8f79b5094c5412a25705",
      "aa0bb39097555c918e40be82abc2b909eb79d9eb87adb07e268fc37323a6cf904fd01fb391"};

  /**
   * {initiator, responder} of a pattern with a pre-message {@code <- s} (IK, X) on the vectors' keys: the
   * initiator knows {@link #IK_REMOTE_STATIC}, the public key of {@link #RESP_STATIC}.
   */
  private static NoiseHandshake[] vectorPair(NoiseHandshake.Pattern pattern, CipherSuite suite) throws Exception {
    return new NoiseHandshake[] {
        NoiseHandshake.withFixedKeys(pattern, Role.INITIATOR, HEX.parseHex(INIT_STATIC), HEX.parseHex(INIT_EPHEMERAL),
            HEX.parseHex(IK_REMOTE_STATIC), HEX.parseHex(PROLOGUE), suite),
        NoiseHandshake.withFixedKeys(pattern, Role.RESPONDER, HEX.parseHex(RESP_STATIC), HEX.parseHex(RESP_EPHEMERAL),
            null, HEX.parseHex(PROLOGUE), suite)};
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void ikMatchesCacophonyTestVectors(CipherSuite suite) throws Exception {
    boolean chacha = suite == CipherSuite.CHACHA20_POLY1305;
    String[] expected = chacha ? IK_CHACHA_CIPHERTEXTS : IK_AESGCM_CIPHERTEXTS;
    NoiseHandshake[] pair = vectorPair(NoiseHandshake.Pattern.IK, suite);
    NoiseHandshake init = pair[0];
    NoiseHandshake resp = pair[1];
    byte[] m1 = init.writeMessage(HEX.parseHex(PAYLOADS[0]));
    assertEquals(expected[0], HEX.formatHex(m1), "message 1");
    assertEquals(PAYLOADS[0], HEX.formatHex(resp.readMessage(m1)));
    assertArrayEquals(init.remoteStaticKey(), HEX.parseHex(IK_REMOTE_STATIC));
    byte[] m2 = resp.writeMessage(HEX.parseHex(PAYLOADS[1]));
    assertEquals(expected[1], HEX.formatHex(m2), "message 2");
    assertEquals(PAYLOADS[1], HEX.formatHex(init.readMessage(m2)));
    assertTrue(init.isComplete() && resp.isComplete());
    assertEquals(chacha ? IK_CHACHA_HASH : IK_AESGCM_HASH, HEX.formatHex(init.handshakeHash()));
    assertEquals(chacha ? IK_CHACHA_HASH : IK_AESGCM_HASH, HEX.formatHex(resp.handshakeHash()));
    // After IK's 2 messages the initiator sends first.
    assertTransportVectors(init.split(), resp.split(), expected, 2);
  }

  // Noise_X_25519_{ChaChaPoly,AESGCM}_SHA256, the one-way pattern of the mailbox's sealed envelope, from the
  // same cacophony file (snow commit 8ac60f5, tests/vectors/cacophony.txt): same keys, prologue, payloads and
  // initiator_remote_static (IK_REMOTE_STATIC) as above. Data only. One-way: every transport message after
  // the handshake goes from the initiator to the responder.
  private static final String X_CHACHA_HASH = "e6adfaa886b76b16b2aa79c54434c77fed488c8aa66d2c545608f4352f70f664";
  private static final String[] X_CHACHA_CIPHERTEXTS = {
      "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79446c15957a594079a5bdeae05d01e089fbb7cc6ea2ecfd209b941f73c9235213bc875f7283e9e17ebdac8112627915b455fdc3aaa6de60cb3c98302f370fdb03ea850b9b0cf22fec13e4dc0707245c8721",
      "9868def631af6242aaf00c35218275832d8d022af1c67b9fc5e8ba90f4d91b",
      "9fdd2576d757f880de49b32b80abf53afec16ddc86769f0e92daff",
      "0e5a48d10dfd648145b78012bc9edc8440cbb6e9e237eb8d5b9c25",
      "11a3818b2523d06a64168b814ff680e60930e7145378cd813055f00e1725b5f9e8",
      "184a48a82f921ee36371d880e2abd177f8967349e992958c66fa51bff262a37845a200d26a"};
  private static final String X_AESGCM_HASH = "e761ec4e29a2d951745dcad46b28d1211c550bdd94042500f51dd4d789e456b0";
  private static final String[] X_AESGCM_CIPHERTEXTS = {
      "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c794470bc7d4db4b390c2b19e03d60cf1ee8630c74c121706378730dcf60ef41a212c23c47ef2f4ab632abfc6258a30ca2149e2c2f8756c40d832fc206e31a5f64087b6fba7638c9a9fdd2eee96f9ea816629",
      "68356b58d8500a2edc2c10a5941b9aaa0cb9b9e47cc125424300a56693775d",
      "9d783c351fd707625359d5a1de888fa4be80ea48ad0a1fc3a42fe6",
      "d121d6dce3ce77ad12ea7542dc23f2e0fd24b62ca7035a85a00fc8",
      "1a97fc0b1fe571b2e489dd6b8c682084a4d14f7c02b380afddf8ad0e031c362c20",
      "7011c403c92a9069047e2f00203877ad80c565c118cea0d4d6813589e9a15701d62e2236fe"};

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void xMatchesCacophonyTestVectors(CipherSuite suite) throws Exception {
    boolean chacha = suite == CipherSuite.CHACHA20_POLY1305;
    String[] expected = chacha ? X_CHACHA_CIPHERTEXTS : X_AESGCM_CIPHERTEXTS;
    NoiseHandshake[] pair = vectorPair(NoiseHandshake.Pattern.X, suite);
    NoiseHandshake init = pair[0];
    NoiseHandshake resp = pair[1];
    byte[] m1 = init.writeMessage(HEX.parseHex(PAYLOADS[0]));
    assertEquals(expected[0], HEX.formatHex(m1), "the only handshake message");
    assertEquals(PAYLOADS[0], HEX.formatHex(resp.readMessage(m1)));
    assertTrue(init.isComplete() && resp.isComplete(), "one message completes X");
    assertArrayEquals(Keys.x25519PublicOf(HEX.parseHex(INIT_STATIC)), resp.remoteStaticKey(),
        "the responder learns the sender's static key");
    assertEquals(chacha ? X_CHACHA_HASH : X_AESGCM_HASH, HEX.formatHex(init.handshakeHash()));
    assertEquals(chacha ? X_CHACHA_HASH : X_AESGCM_HASH, HEX.formatHex(resp.handshakeHash()));
    TransportCipher send = init.split().send();
    TransportCipher receive = resp.split().receive();
    for (int i = 1; i < PAYLOADS.length; i++) {
      byte[] pt = HEX.parseHex(PAYLOADS[i]);
      byte[] ct = new byte[pt.length + CipherSuite.TAG_LENGTH];
      send.encrypt(i - 1, new byte[0], 0, 0, pt, 0, pt.length, ct, 0);
      assertEquals(expected[i], HEX.formatHex(ct), "transport message " + i);
      byte[] back = new byte[pt.length];
      receive.decrypt(i - 1, new byte[0], 0, 0, ct, 0, ct.length, back, 0);
      assertArrayEquals(pt, back);
    }
  }

  @Test
  void ikBetweenIdentitiesAuthenticatesBothAndForgeriesLeaveStateUntouched() throws Exception {
    NodeIdentity client = NodeIdentity.generate();
    NodeIdentity server = NodeIdentity.generate();
    byte[] prologue = "p2pchat-control/1".getBytes(StandardCharsets.US_ASCII);
    NoiseHandshake i = NoiseHandshake.ikInitiator(client, server.staticPublicKey(), prologue, CipherSuite.AES_GCM);
    NoiseHandshake r = NoiseHandshake.ikResponder(server, prologue, CipherSuite.AES_GCM);
    assertEquals(NoiseHandshake.Pattern.IK, i.pattern());
    byte[] m1 = i.writeMessage(new byte[] {7});
    for (int bit = 0; bit < m1.length * 8; bit += 7) {
      byte[] bad = m1.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(HandshakeException.class, () -> r.readMessage(bad), "bit " + bit);
      assertNull(r.remoteStaticKey(), "nothing learned from a forged message 1");
    }
    assertArrayEquals(new byte[] {7}, r.readMessage(m1));
    assertArrayEquals(client.staticPublicKey(), r.remoteStaticKey());
    byte[] m2 = r.writeMessage(new byte[0]);
    assertThrows(HandshakeException.class, () -> i.readMessage(java.util.Arrays.copyOf(m2, m2.length - 1)));
    i.readMessage(m2);
    assertArrayEquals(i.split().handshakeHash(), r.split().handshakeHash());
    // A client that believes another server key fails at message 1: the real server cannot read it.
    NoiseHandshake wrong = NoiseHandshake.ikInitiator(client, NodeIdentity.generate().staticPublicKey(), prologue,
        CipherSuite.AES_GCM);
    NoiseHandshake r2 = NoiseHandshake.ikResponder(server, prologue, CipherSuite.AES_GCM);
    assertThrows(HandshakeException.class, () -> r2.readMessage(wrong.writeMessage(new byte[0])));
  }

  /** A full handshake between two identities; returns {initiator, responder} payloads as seen by the other side. */
  static NoiseHandshake[] handshake(NodeIdentity a, byte[] prologueA, NodeIdentity b, byte[] prologueB,
      CipherSuite suite) throws HandshakeException {
    NoiseHandshake i = NoiseHandshake.initiator(a, prologueA, suite);
    NoiseHandshake r = NoiseHandshake.responder(b, prologueB, suite);
    r.readMessage(i.writeMessage(new byte[0]));
    HandshakePayload rp = HandshakePayload.decode(i.readMessage(r.writeMessage(HandshakePayload.of(b, "bob").encode())));
    assertTrue(rp.verify(i.remoteStaticKey()));
    HandshakePayload ip = HandshakePayload.decode(r.readMessage(i.writeMessage(HandshakePayload.of(a, "alice").encode())));
    assertTrue(ip.verify(r.remoteStaticKey()));
    assertEquals("bob", rp.nick());
    assertEquals("alice", ip.nick());
    assertArrayEquals(b.signingPublicKey(), rp.signingKey());
    assertArrayEquals(a.signingPublicKey(), ip.signingKey());
    return new NoiseHandshake[] {i, r};
  }

  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void roundTripBetweenIdentities(CipherSuite suite) throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity bob = NodeIdentity.generate();
    byte[] prologue = RoomId.of("lobby", null).prologue();
    NoiseHandshake[] hs = handshake(alice, prologue, bob, prologue, suite);
    assertTrue(hs[0].isComplete() && hs[1].isComplete());
    assertArrayEquals(bob.staticPublicKey(), hs[0].remoteStaticKey());
    assertArrayEquals(alice.staticPublicKey(), hs[1].remoteStaticKey());
    SessionKeys a = hs[0].split();
    SessionKeys b = hs[1].split();
    assertArrayEquals(a.handshakeHash(), b.handshakeHash());
    byte[] ad = "header".getBytes(StandardCharsets.UTF_8);
    byte[] msg = "hi bob".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(msg, TransportCipherTest.roundTrip(a.send(), b.receive(), 0, ad, msg));
    assertArrayEquals(msg, TransportCipherTest.roundTrip(b.send(), a.receive(), 0, ad, msg));
    assertThrows(IllegalStateException.class, hs[0]::split);
  }

  @Test
  void differentRoomsFailTheHandshake() throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity bob = NodeIdentity.generate();
    byte[][][] pairs = {
        {RoomId.of("lobby", null).prologue(), RoomId.of("other", null).prologue()},
        {RoomId.of("club", "secret-1").prologue(), RoomId.of("club", "secret-2").prologue()},
        {RoomId.of("club", "secret-1").prologue(), RoomId.of("club", null).prologue()},
        // the rendezvous knows the secret room's wire id but not its prologue
        {RoomId.of("club", "secret-1").prologue(), RoomId.of(RoomId.derive("club", "secret-1"), null).prologue()},
    };
    for (byte[][] p : pairs) {
      NoiseHandshake i = NoiseHandshake.initiator(alice, p[0], CipherSuite.CHACHA20_POLY1305);
      NoiseHandshake r = NoiseHandshake.responder(bob, p[1], CipherSuite.CHACHA20_POLY1305);
      r.readMessage(i.writeMessage(new byte[0]));
      byte[] m2 = r.writeMessage(HandshakePayload.of(bob, "bob").encode());
      assertThrows(HandshakeException.class, () -> i.readMessage(m2));
      assertNull(i.remoteStaticKey(), "nothing learned from a failed message");
    }
  }

  @Test
  void anyFlippedBitIsRejectedAndTheGenuineMessageStillWorks() throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity bob = NodeIdentity.generate();
    byte[] prologue = RoomId.of("lobby", null).prologue();
    NoiseHandshake i = NoiseHandshake.initiator(alice, prologue, CipherSuite.AES_GCM);
    NoiseHandshake r = NoiseHandshake.responder(bob, prologue, CipherSuite.AES_GCM);
    r.readMessage(i.writeMessage(new byte[0]));
    byte[] m2 = r.writeMessage(HandshakePayload.of(bob, "bob").encode());
    for (int bit = 0; bit < m2.length * 8; bit++) {
      byte[] bad = m2.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(HandshakeException.class, () -> i.readMessage(bad), "bit " + bit);
    }
    assertThrows(HandshakeException.class, () -> i.readMessage(java.util.Arrays.copyOf(m2, m2.length - 1)));
    assertThrows(HandshakeException.class, () -> i.readMessage(new byte[10]));
    // A failed read does not destroy the handshake (the genuine message still completes it), nor wipe what it needs.
    assertFalse(i.isDestroyed() || i.secretsWiped());
    i.readMessage(m2); // the forgeries left the state untouched
    byte[] m3 = i.writeMessage(HandshakePayload.of(alice, "alice").encode());
    for (int bit = 0; bit < m3.length * 8; bit++) {
      byte[] bad = m3.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(HandshakeException.class, () -> r.readMessage(bad), "bit " + bit);
    }
    r.readMessage(m3);
    assertTrue(i.isComplete() && r.isComplete());
  }

  @Test
  void manInTheMiddleWithItsOwnStaticKeyFailsThePayloadCheck() throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity bob = NodeIdentity.generate();
    NodeIdentity mallory = NodeIdentity.generate();
    byte[] prologue = RoomId.of("lobby", null).prologue();
    // Mallory answers Alice with her own Noise static key but replays Bob's identity and binding.
    NoiseHandshake i = NoiseHandshake.initiator(alice, prologue, CipherSuite.CHACHA20_POLY1305);
    NoiseHandshake m = NoiseHandshake.responder(mallory, prologue, CipherSuite.CHACHA20_POLY1305);
    m.readMessage(i.writeMessage(new byte[0]));
    byte[] forged = HandshakePayload.of("bob", bob.signingPublicKey(), bob.staticBinding()).encode();
    HandshakePayload seen = HandshakePayload.decode(i.readMessage(m.writeMessage(forged)));
    assertArrayEquals(mallory.staticPublicKey(), i.remoteStaticKey());
    assertFalse(seen.verify(i.remoteStaticKey()), "Bob's binding does not cover Mallory's static key");
    // And Mallory's own honest payload verifies, but carries Mallory's identity: KnownPeers flags it.
    HandshakePayload own = HandshakePayload.of(mallory, "bob");
    assertTrue(own.verify(mallory.staticPublicKey()));
    KnownPeers known = KnownPeers.empty(java.nio.file.Path.of("unused"));
    known.remember("bob", bob.signingPublicKey());
    assertEquals(KnownPeers.Trust.MISMATCH, known.check("bob", own.signingKey()));
  }

  @Test
  void wrongTurnAndLowOrderEphemeral() throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    byte[] prologue = RoomId.of("lobby", null).prologue();
    NoiseHandshake i = NoiseHandshake.initiator(alice, prologue, CipherSuite.CHACHA20_POLY1305);
    assertThrows(HandshakeException.class, () -> i.readMessage(new byte[64]));
    NoiseHandshake r = NoiseHandshake.responder(alice, prologue, CipherSuite.CHACHA20_POLY1305);
    assertThrows(IllegalStateException.class, () -> r.writeMessage(new byte[0]));
    r.readMessage(new byte[32]); // ephemeral u = 0: a low-order point
    assertThrows(HandshakeException.class, () -> r.writeMessage(new byte[0]));
    assertEquals(NoiseHandshake.State.FAILED, r.state());
  }

  /**
   * A handshake dropped half-way (XX after message 2, IK's responder after message 2, which also holds the
   * resumption secret) has its ephemeral key, ck, h and k zeroed by destroy(), and every use after it is a bug.
   */
  @ParameterizedTest
  @EnumSource(CipherSuite.class)
  void aHandshakeDestroyedMidWayHasItsSecretsZeroedAndRefusesEveryUse(CipherSuite suite) throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity bob = NodeIdentity.generate();
    byte[] prologue = RoomId.of("lobby", "secret").prologue();
    NoiseHandshake i = NoiseHandshake.initiator(alice, prologue, suite);
    NoiseHandshake r = NoiseHandshake.responder(bob, prologue, suite);
    r.readMessage(i.writeMessage(new byte[0]));
    i.readMessage(r.writeMessage(new byte[0]));
    NoiseHandshake ikServer = NoiseHandshake.ikResponder(bob, prologue, suite);
    NoiseHandshake ikClient = NoiseHandshake.ikInitiator(alice, bob.staticPublicKey(), prologue, suite);
    ikServer.readMessage(ikClient.writeMessage(new byte[0]));
    ikServer.writeMessage(new byte[0]);
    for (NoiseHandshake hs : new NoiseHandshake[] {i, r, ikServer, ikClient}) {
      assertFalse(hs.secretsWiped(), hs.role() + " " + hs.pattern() + " holds its ephemeral key and ck");
      assertFalse(hs.isDestroyed());
      hs.destroy();
      assertTrue(hs.secretsWiped(), hs.role() + " " + hs.pattern() + ": ephemeral key, ck, h, k all zero");
      assertTrue(hs.isDestroyed());
      hs.destroy(); // idempotent
      assertTrue(hs.secretsWiped());
      assertThrows(IllegalStateException.class, () -> hs.writeMessage(new byte[0]));
      assertThrows(IllegalStateException.class, hs::split);
      assertThrows(IllegalStateException.class, hs::handshakeHash);
      assertThrows(IllegalStateException.class, hs::resumptionSecret);
    }
    assertEquals(NoiseHandshake.State.READ, r.state(), "state() still tells how far it got");
    assertThrows(IllegalStateException.class, () -> r.readMessage(new byte[64]), "its turn to read, but destroyed");
    assertThrows(IllegalStateException.class, () -> ikClient.readMessage(new byte[64]));
  }

  /** split() ends in destroy(): the session keys are all that is left of a completed handshake. */
  @ParameterizedTest
  @EnumSource(NoiseHandshake.Pattern.class)
  void splitLeavesTheHandshakeDestroyed(NoiseHandshake.Pattern pattern) throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    NodeIdentity bob = NodeIdentity.generate();
    byte[] prologue = RoomId.of("lobby", null).prologue();
    CipherSuite suite = CipherSuite.AES_GCM;
    NoiseHandshake[] hs = switch (pattern) {
      case XX -> handshake(alice, prologue, bob, prologue, suite);
      case IK -> new NoiseHandshake[] {NoiseHandshake.ikInitiator(alice, bob.staticPublicKey(), prologue, suite),
          NoiseHandshake.ikResponder(bob, prologue, suite)};
      case X -> new NoiseHandshake[] {NoiseHandshake.xInitiator(alice, bob.staticPublicKey(), prologue, suite),
          NoiseHandshake.xResponder(bob, prologue, suite)};
    };
    if (pattern != NoiseHandshake.Pattern.XX) {
      hs[1].readMessage(hs[0].writeMessage(new byte[0]));
      if (pattern == NoiseHandshake.Pattern.IK) {
        hs[0].readMessage(hs[1].writeMessage(new byte[0]));
      }
    }
    for (NoiseHandshake h : hs) {
      assertTrue(h.isComplete());
      assertFalse(h.secretsWiped());
      h.split();
      assertTrue(h.isDestroyed(), pattern + " " + h.role());
      assertTrue(h.secretsWiped(), pattern + " " + h.role() + ": nothing left behind by split");
      assertEquals(NoiseHandshake.State.SPLIT, h.state());
      assertThrows(IllegalStateException.class, h::split);
      assertThrows(IllegalStateException.class, h::resumptionSecret);
      h.destroy(); // a caller that destroys whatever it drops may meet a split one: nothing happens
    }
  }

  /** A write that fails (a low-order peer key) leaves the handshake FAILED and wiped: nothing can complete it. */
  @Test
  void aWriteThatFailsWipesTheHandshake() throws Exception {
    NodeIdentity alice = NodeIdentity.generate();
    byte[] prologue = RoomId.of("lobby", null).prologue();
    NoiseHandshake r = NoiseHandshake.responder(alice, prologue, CipherSuite.CHACHA20_POLY1305);
    r.readMessage(new byte[32]); // ephemeral u = 0: a low-order point
    assertThrows(HandshakeException.class, () -> r.writeMessage(new byte[0])); // after its own ephemeral was made
    NoiseHandshake ik = NoiseHandshake.ikInitiator(alice, new byte[32], prologue, CipherSuite.AES_GCM);
    assertThrows(HandshakeException.class, () -> ik.writeMessage(new byte[0]));
    for (NoiseHandshake hs : new NoiseHandshake[] {r, ik}) {
      assertEquals(NoiseHandshake.State.FAILED, hs.state());
      assertTrue(hs.isDestroyed(), hs.pattern() + " FAILED destroys itself");
      assertTrue(hs.secretsWiped(), hs.pattern() + ": its ephemeral key and ck are zero");
    }
  }
}
