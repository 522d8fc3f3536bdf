package io.p2pchat.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** AddressCookie, ProbeMac and RoomId. */
class SmallPrimitivesTest {
  private static final long B = AddressCookie.BUCKET_MILLIS;

  @Test
  void cookieValidForCurrentAndPreviousBucketOnly() throws Exception {
    AddressCookie cookies = new AddressCookie();
    InetSocketAddress src = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 40000);
    long t0 = 10 * B + 5;
    byte[] c = cookies.issue(src, t0);
    assertEquals(AddressCookie.LENGTH, c.length);
    assertTrue(cookies.verify(c, src, t0));
    assertTrue(cookies.verify(c, src, 11 * B + B - 1), "next bucket");
    assertFalse(cookies.verify(c, src, 12 * B), "two buckets later: expired");
  }

  @Test
  void cookieBoundToAddressAndPort() throws Exception {
    AddressCookie cookies = new AddressCookie();
    long now = 1_700_000_000_000L;
    InetSocketAddress src = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 40000);
    byte[] c = cookies.issue(src, now);
    assertFalse(cookies.verify(c, new InetSocketAddress(InetAddress.getByName("192.0.2.8"), 40000), now));
    assertFalse(cookies.verify(c, new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 40001), now));
    assertFalse(cookies.verify(c, new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40000), now));
    for (int bit = 0; bit < c.length * 8; bit++) {
      byte[] bad = c.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertFalse(cookies.verify(bad, src, now));
    }
    assertFalse(cookies.verify(Arrays.copyOf(c, 15), src, now));
    assertFalse(new AddressCookie().verify(c, src, now), "another server's secret");
  }

  @Test
  void probeMacDetectsTamperingAndWrongKey() {
    byte[] key = new byte[32];
    key[0] = 1;
    byte[] packet = "header+body of a probe".getBytes(StandardCharsets.UTF_8);
    byte[] withMac = Arrays.copyOf(packet, packet.length + ProbeMac.LENGTH);
    System.arraycopy(ProbeMac.compute(key, packet, 0, packet.length), 0, withMac, packet.length, ProbeMac.LENGTH);
    assertTrue(ProbeMac.verify(key, withMac, 0, packet.length, withMac, packet.length));
    for (int bit = 0; bit < withMac.length * 8; bit++) {
      byte[] bad = withMac.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertFalse(ProbeMac.verify(key, bad, 0, packet.length, bad, packet.length), "bit " + bit);
    }
    byte[] other = key.clone();
    other[0] = 2;
    assertFalse(ProbeMac.verify(other, withMac, 0, packet.length, withMac, packet.length));
    assertFalse(ProbeMac.verify(key, withMac, 0, packet.length, withMac, withMac.length - 3), "short tag");
    // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?"), truncated to 16 bytes
    byte[] jefe = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    assertEquals("5bdcc146bf60754e6a042426089575c7",
        HexFormat.of().formatHex(ProbeMac.compute("Jefe".getBytes(StandardCharsets.US_ASCII), jefe, 0, jefe.length)));
  }

  @Test
  void roomIds() {
    assertEquals("lobby", RoomId.derive("lobby", null));
    assertEquals("lobby", RoomId.derive("lobby", ""));
    String secret = RoomId.derive("club", "s3cret");
    assertTrue(secret.matches("[0-9a-f]{64}"), secret);
    assertFalse(secret.contains("club"));
    assertEquals(secret, RoomId.derive("club", "s3cret"), "deterministic: all members meet");
    assertNotEquals(secret, RoomId.derive("club", "other"));
    assertNotEquals(secret, RoomId.derive("club2", "s3cret"));
    RoomId id = RoomId.of("club", "s3cret");
    assertTrue(id.isSecret());
    assertFalse(id.toString().contains("s3cret"));
    assertFalse(Arrays.equals(id.prologue(), RoomId.of(secret, null).prologue()));
    assertTrue(new String(RoomId.of("lobby", null).prologue(), StandardCharsets.UTF_8).startsWith("p2pchat/1"));
  }
}
