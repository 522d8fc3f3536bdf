package io.p2pchat.punch;

import io.p2pchat.wire.RoomDigest;

import java.util.HashMap;
import java.util.Map;

/**
 * The members of our room as the rendezvous told us (introduced, not yet gone), and their
 * {@link RoomDigest} for keep-alives. Makes the reliable control messages idempotent: an
 * {@code introduce} sent again with the same id, or a {@code gone} for a peer already gone (or for an
 * earlier process of it), changes nothing. Lives on PunchVerticle's event loop.
 */
final class RoomView {

  /** What we were last told of one member. */
  private record Member(String instance, long introId) {
  }

  private final Map<String, Member> members = new HashMap<>();
  private final RoomDigest digest = new RoomDigest();

  /**
   * An introduction to {@code nick}: true when it is new (act on it), false when the same
   * introduction was received before (a retransmission or a repair: ignore it).
   */
  boolean introduced(String nick, String instance, long introId) {
    Member before = members.put(nick, new Member(instance, introId));
    if (before != null) {
      if (before.instance.equals(instance) && before.introId == introId) {
        return false;
      }
      digest.remove(nick, before.instance);
    }
    digest.add(nick, instance);
    return true;
  }

  /**
   * {@code nick} left: true when it was a member in that process {@code instance} (null: any), false
   * when it had left already or the departure is about an earlier process of it.
   */
  boolean gone(String nick, String instance) {
    Member m = members.get(nick);
    if (m == null || (instance != null && !m.instance.equals(instance))) {
      return false;
    }
    members.remove(nick);
    digest.remove(nick, m.instance);
    return true;
  }

  /** The digest a keep-alive carries. */
  String digest() {
    return digest.text();
  }

  /** The nicks of the members we know, a copy. */
  java.util.List<String> nicks() {
    return java.util.List.copyOf(members.keySet());
  }

  /** How many members we know. */
  int size() {
    return members.size();
  }
}
