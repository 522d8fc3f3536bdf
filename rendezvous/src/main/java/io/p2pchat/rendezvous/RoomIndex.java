package io.p2pchat.rendezvous;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registrations of each room, sorted by nick (the order of the plain-text {@code list}), for the
 * {@link Registry}. A room of one member (a client alone in its room, or the first of a pair to arrive:
 * the commonest case on a large rendezvous) is held as that registration itself, a {@link TreeMap} only
 * from the second member on: a lone client costs one map entry, not a TreeMap, its entry and its
 * values view (~100 bytes). Each room's name is held once: {@link #canonical} hands later members the
 * instance the room already holds. Pure state, on the verticle's event loop.
 */
final class RoomIndex {

  /** A room's lone {@link Registration}, or a {@code TreeMap<String, Registration>} of two or more by nick. */
  private final Map<String, Object> byRoom = new HashMap<>();

  /** Adds {@code r} to its room, replacing a member of the same nick. */
  void add(Registration r) {
    Object held = byRoom.get(r.room);
    if (held == null || held instanceof Registration lone && lone.nick.equals(r.nick)) {
      byRoom.put(r.room, r);
      return;
    }
    TreeMap<String, Registration> members;
    if (held instanceof Registration lone) {
      members = new TreeMap<>();
      members.put(lone.nick, lone);
      byRoom.put(r.room, members);
    } else {
      members = tree(held);
    }
    members.put(r.nick, r);
  }

  /** Removes {@code r} from its room if it is the member of its nick there. */
  void remove(Registration r) {
    Object held = byRoom.get(r.room);
    if (held == r) {
      byRoom.remove(r.room);
    } else if (held instanceof TreeMap<?, ?>) {
      TreeMap<String, Registration> members = tree(held);
      members.remove(r.nick, r);
      if (members.size() == 1) {
        byRoom.put(r.room, members.firstEntry().getValue()); // alone again
      } else if (members.isEmpty()) {
        byRoom.remove(r.room);
      }
    }
  }

  /** The room's registrations sorted by nick (a copy). */
  List<Registration> members(String room) {
    Object held = byRoom.get(room);
    if (held == null) {
      return List.of();
    }
    return held instanceof Registration lone ? List.of(lone) : new ArrayList<>(tree(held).values());
  }

  /** {@code room} as this index already holds it (one String per room, whatever its members), else {@code room}. */
  String canonical(String room) {
    Object held = byRoom.get(room);
    if (held == null) {
      return room;
    }
    return held instanceof Registration lone ? lone.room : tree(held).firstEntry().getValue().room;
  }

  @SuppressWarnings("unchecked")
  private static TreeMap<String, Registration> tree(Object held) {
    return (TreeMap<String, Registration>) held;
  }
}
