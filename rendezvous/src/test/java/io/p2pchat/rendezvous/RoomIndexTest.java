package io.p2pchat.rendezvous;

import io.p2pchat.wire.Endpoint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The registry's rooms: listed sorted by nick whatever the members' way in, one room name per room. */
class RoomIndexTest {

  private static final long NOW = 1_000_000_000L;

  @Test
  void aRoomGrowsFromOneMemberAndShrinksBackSortedByNick() throws RegistryException {
    Registry registry = new Registry(100, 100);
    register(registry, "zoe", new String("lobby"), 1);
    assertEquals(List.of("zoe"), nicks(registry.room("lobby")));
    register(registry, "adam", new String("lobby"), 2);
    register(registry, "mia", new String("lobby"), 3);
    assertEquals(List.of("adam", "mia", "zoe"), nicks(registry.room("lobby")), "sorted by nick");
    assertSame(registry.byNick("zoe").room, registry.byNick("adam").room, "one String per room");
    assertSame(registry.byNick("zoe").room, registry.byNick("mia").room, "one String per room");

    registry.remove(registry.byNick("adam"));
    registry.remove(registry.byNick("zoe"));
    assertEquals(List.of("mia"), nicks(registry.room("lobby")), "alone again");
    register(registry, "bob", "lobby", 4);
    assertEquals(List.of("bob", "mia"), nicks(registry.room("lobby")));
    registry.remove(registry.byNick("bob"));
    registry.remove(registry.byNick("mia"));
    assertEquals(List.of(), registry.room("lobby"), "an empty room is gone");
    assertEquals(List.of(), registry.room("elsewhere"));
  }

  @Test
  void aLoneMemberReRegisteringFromElsewhereStaysItsRoomsOnlyMember() throws RegistryException {
    Registry registry = new Registry(100, 100);
    register(registry, "ann", "attic", 1);
    register(registry, "ann", "attic", 2);
    assertEquals(List.of("ann"), nicks(registry.room("attic")));
    registry.remove(registry.byNick("ann"));
    assertEquals(List.of(), registry.room("attic"));
  }

  private static void register(Registry registry, String nick, String room, int port) throws RegistryException {
    registry.register(new RegisterRequest(nick, room, "i-" + nick, List.of(), List.of(), new byte[32], null, null),
      new Endpoint("192.0.2.1", port), NOW);
  }

  private static List<String> nicks(List<Registration> members) {
    return members.stream().map(r -> r.nick).toList();
  }
}
