package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Endpoint;
import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrationTest {
  private static final Endpoint ADDRESS = new Endpoint("192.0.2.1", 40000);
  private static final Endpoint ALT = new Endpoint("2001:db8::1", 40000);
  private static final Endpoint MAPPED = new Endpoint("192.0.2.1", 41000);

  private static Registration registration(String owner) {
    return new Registration("dave", "room", new byte[32], "i1", ADDRESS, List.of(), 7, owner, 1);
  }

  /** What the registration's one field for its rare fields holds now. */
  private static Object holder(Registration r) throws ReflectiveOperationException {
    Field f = Registration.class.getDeclaredField("rare");
    f.setAccessible(true);
    return f.get(r);
  }

  @Test
  void aClientOfOursWithoutRareFieldsHoldsNothingForThem() throws Exception {
    Registration r = registration(null);
    assertTrue(r.isLocal());
    assertNull(r.owner());
    assertNull(r.alt());
    assertNull(r.portmap());
    assertFalse(r.orphaned());
    r.alt(null);
    r.portmap(null);
    r.orphaned(false);
    assertNull(holder(r), "clearing what is not there allocates nothing");
  }

  @Test
  void eachRareFieldIsKeptAndTheHolderGoesOnceAllAreCleared() throws Exception {
    Registration r = registration(null);
    r.alt(ALT);
    r.portmap(MAPPED);
    assertEquals(ALT, r.alt());
    assertEquals(MAPPED, r.portmap());
    assertTrue(r.isLocal());
    r.alt(null);
    assertNull(r.alt());
    assertEquals(MAPPED, r.portmap(), "the other field stays");
    r.portmap(null);
    assertNull(r.portmap());
    assertNull(holder(r), "nothing left: no holder");
  }

  @Test
  void aClientOfAnotherInstanceKeepsItsOwnerThroughOrphaningAndMovingHere() throws Exception {
    String owner = "node-2";
    Registration r = registration(owner);
    assertFalse(r.isLocal());
    assertSame(owner, r.owner());
    assertSame(owner, holder(r), "the owner alone: its instance's one string, no holder");
    r.orphaned(true);
    assertTrue(r.orphaned());
    assertSame(owner, r.owner(), "orphaned, still owned by the instance that left");
    r.alt(ALT);
    r.orphaned(false);
    assertFalse(r.orphaned());
    assertEquals(ALT, r.alt());
    assertSame(owner, r.owner());
    r.alt(null);
    assertSame(owner, holder(r), "back to the owner alone");
    r.orphaned(true);
    r.owner(null); // the client moved here (Registry.register)
    r.orphaned(false);
    assertTrue(r.isLocal());
    assertFalse(r.orphaned());
    assertNull(holder(r));
    r.owner("node-3");
    assertEquals("node-3", r.owner());
    assertFalse(r.isLocal());
  }
}
