package io.p2pchat.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.RoomId;
import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.delivery.DeliveryOptions;
import io.p2pchat.wire.Endpoint;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The peer table: every way of finding a session agrees, through introductions and removal. */
class PeerTableTest {

  private static final long PUNCH_WINDOW = TimeUnit.SECONDS.toNanos(5);
  private static final long KEEP_ALIVE = TimeUnit.SECONDS.toNanos(15);
  /** Long enough for a probe secret (the rendezvous sends 32 bytes). */
  private static final byte[] SECRET = new byte[32];
  private static final List<Candidate> CANDIDATES =
    List.of(new Candidate(new Endpoint("203.0.113.7", 40000), Candidate.Kind.PUBLIC));

  /** A host that ignores everything a session asks: the table is under test, not the session. */
  private static final PeerSession.Host IGNORING = (PeerSession.Host) Proxy.newProxyInstance(
    PeerSession.Host.class.getClassLoader(), new Class<?>[] {PeerSession.Host.class}, (proxy, method, args) -> null);

  private final NodeIdentity identity = NodeIdentity.generate();
  private final PeerTable table = new PeerTable();

  private PeerSession session(String nick, int index) {
    return new PeerSession(nick, index, IGNORING, new DeliveryOptions(),
      () -> new SecureChannel(identity, "me", nick, RoomId.of("lobby", null).prologue(),
        CipherSuite.CHACHA20_POLY1305, true, payload -> true),
      PUNCH_WINDOW, KEEP_ALIVE, Set.of());
  }

  /** Files and hands over an introduction the way SessionHost does. */
  private void introduce(PeerSession s, long introId, long relayId) {
    table.introduced(s, introId, relayId);
    s.introduce(introId, SECRET, "instance-1", relayId, CANDIDATES, false, false, 0);
  }

  @Test
  void aNewSessionIsFoundByNickAndByItsOwnIndex() {
    PeerSession bob = table.add("bob", this::session);
    PeerSession alice = table.add("alice", this::session);
    assertSame(bob, table.byNick("bob"));
    assertSame(bob, table.byIndex(bob.localIndex));
    assertSame(alice, table.byIndex(alice.localIndex));
    assertNotEquals(0, bob.localIndex, "0 means no index on the wire");
    assertNotEquals(bob.localIndex, alice.localIndex);
    assertEquals(2, table.size());
    assertEquals(List.of(alice, bob), table.sortedByNick());
    assertNull(table.byNick("carol"));
  }

  @Test
  void probesOfTheCurrentAndThePreviousIntroductionFindTheSessionOlderOnesDoNot() {
    PeerSession bob = table.add("bob", this::session);
    introduce(bob, 1, 10);
    introduce(bob, 2, 20);
    introduce(bob, 3, 30);
    assertNull(table.byIntro(1), "two introductions ago");
    assertSame(bob, table.byIntro(2), "the peer may still probe with the previous one for a moment");
    assertSame(bob, table.byIntro(3));
    assertNull(table.byRelayId(10));
    assertNull(table.byRelayId(20));
    assertSame(bob, table.byRelayId(30));
  }

  @Test
  void removingASessionUnfilesItEverywhereAndTouchesNoOther() {
    PeerSession bob = table.add("bob", this::session);
    PeerSession carol = table.add("carol", this::session);
    introduce(bob, 1, 10);
    introduce(bob, 2, 20);
    introduce(carol, 3, 30);
    table.remove(bob);
    assertFalse(table.contains(bob));
    assertNull(table.byNick("bob"));
    assertNull(table.byIndex(bob.localIndex));
    assertNull(table.byIntro(1));
    assertNull(table.byIntro(2));
    assertNull(table.byRelayId(20));
    assertTrue(table.contains(carol));
    assertSame(carol, table.byIntro(3));
    assertSame(carol, table.byRelayId(30));
    assertEquals(1, table.size());
  }
}
