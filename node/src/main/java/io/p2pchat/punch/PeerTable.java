package io.p2pchat.punch;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every peer session of this node, found the four ways datagrams and requests name a peer: by
 * nick (chat requests, control messages), by our session index (handshake and DATA headers), by
 * introduction id (probes) and by relay id (relay frames). The one place sessions are added and
 * removed, so the four maps always agree. Like Tailscale's peermap. Lives on PunchVerticle's
 * event loop only.
 */
final class PeerTable {

  /** Makes the session of a newly introduced peer, with the index this table chose for it. */
  interface Factory {
    PeerSession create(String nick, int localIndex);
  }

  private final SecureRandom random = new SecureRandom();
  private final Map<String, PeerSession> byNick = new HashMap<>();
  private final Map<Integer, PeerSession> byIndex = new HashMap<>();
  private final Map<Long, PeerSession> byIntro = new HashMap<>();
  private final Map<Long, PeerSession> byRelayId = new HashMap<>();

  /** The session with {@code nick}, or null. */
  PeerSession byNick(String nick) {
    return byNick.get(nick);
  }

  /** The session we gave {@code index} (the receiver index of its handshake and DATA packets), or null. */
  PeerSession byIndex(int index) {
    return byIndex.get(index);
  }

  /** The session introduced with {@code introId} (its current or previous introduction), or null. */
  PeerSession byIntro(long introId) {
    return byIntro.get(introId);
  }

  /** The session the rendezvous relays under {@code relayId}, or null. */
  PeerSession byRelayId(long relayId) {
    return byRelayId.get(relayId);
  }

  /** True while {@code session} is in the table: a timer or task of a removed one has nothing to do. */
  boolean contains(PeerSession session) {
    return byNick.get(session.nick) == session;
  }

  int size() {
    return byNick.size();
  }

  /** The sessions, in no particular order; not to be changed while iterated. */
  Collection<PeerSession> sessions() {
    return byNick.values();
  }

  /** The sessions sorted by nick: the order {@code peers} answers in. */
  List<PeerSession> sortedByNick() {
    List<PeerSession> sorted = new ArrayList<>(byNick.values());
    sorted.sort(Comparator.comparing(s -> s.nick));
    return sorted;
  }

  /** Adds the session of a new peer, made by {@code factory} with a fresh index that no other session has. */
  PeerSession add(String nick, Factory factory) {
    PeerSession session = factory.create(nick, newIndex());
    byNick.put(nick, session);
    byIndex.put(session.localIndex, session);
    return session;
  }

  /**
   * Files {@code session} under the ids of its new introduction, before the session takes it:
   * probes of the current introduction keep finding it, those of the one before it no longer do.
   */
  void introduced(PeerSession session, long introId, long relayId) {
    byIntro.remove(session.previousIntroId, session);
    byRelayId.remove(session.relayId, session);
    byIntro.put(introId, session);
    byRelayId.put(relayId, session);
  }

  /** Removes {@code session} under all its names (the peer is gone). */
  void remove(PeerSession session) {
    byNick.remove(session.nick, session);
    byIndex.remove(session.localIndex, session);
    byIntro.remove(session.introId, session);
    byIntro.remove(session.previousIntroId, session);
    byRelayId.remove(session.relayId, session);
  }

  /** A random index, never 0 (no index yet, on the wire) and never one in use. */
  private int newIndex() {
    int index;
    do {
      index = random.nextInt();
    } while (index == 0 || byIndex.containsKey(index));
    return index;
  }
}
