package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.control.ControlCodec.Type;
import io.p2pchat.control.TicketWallet;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.PublicKeyOps;
import io.p2pchat.wire.Control;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Control-session resumption at a real rendezvous over real UDP sockets: the ticket a client got from
 * its full handshake resumes its session after the rendezvous restarted (its ticket keys are kept in the
 * data directory), with no public-key operation in the process that holds both; a lost RESUME or RESUMED
 * is sent again; another rendezvous's ticket is dropped, counted, and the client registers by the full
 * handshake.
 */
class ResumptionRendezvousTest {
  private static final String ROOM = "resume-room";
  private static final BiPredicate<Boolean, byte[]> NO_LOSS = (out, d) -> false;

  @TempDir
  Path dataDir;

  private static JsonObject harnessConfig(Path dir) {
    return new JsonObject().put("dataDir", dir.toString());
  }

  private static void assertRegistered(UdpClient c) {
    JsonObject answer = c.register();
    assertEquals("registered", answer.getString(Control.TYPE), answer.encode());
  }

  @Test
  void aRestartedRendezvousResumesTheSessionOfItsTicketWithoutPublicKeyWork() throws Exception {
    NodeIdentity id = NodeIdentity.generate();
    TicketWallet wallet = new TicketWallet();
    try (RendezvousHarness first = new RendezvousHarness(harnessConfig(dataDir));
         UdpClient before = new UdpClient(first.port(), "ann", ROOM, id, wallet)) {
      List<Type> full = before.establish(NO_LOSS);
      assertEquals(Type.INITIATION, full.get(full.size() - 1), "a full handshake: " + full);
      assertFalse(full.contains(Type.RESUME), "no ticket yet: " + full);
      assertRegistered(before);
      assertTrue(wallet.holdsTicket(), "the full handshake gave a ticket");
    }
    Path keys = dataDir.resolve(FileTicketKeys.FILE_NAME);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)), "owner-only");
    try (RendezvousHarness restarted = new RendezvousHarness(harnessConfig(dataDir));
         UdpClient after = new UdpClient(restarted.port(), "ann", ROOM, id, wallet)) {
      Map<PublicKeyOps.Kind, Long> opsBefore = PublicKeyOps.snapshot();
      assertEquals(List.of(Type.RESUME), after.establish(NO_LOSS), "one RESUME, answered");
      assertEquals(opsBefore, PublicKeyOps.snapshot(), "no public-key operation in the client nor the rendezvous");
      assertRegistered(after);
    }
  }

  @Test
  void aLostResumeAndALostResumedAreSentAgainAndTheClientRegisters() {
    NodeIdentity id = NodeIdentity.generate();
    TicketWallet wallet = new TicketWallet();
    try (RendezvousHarness rdv = new RendezvousHarness(harnessConfig(dataDir));
         UdpClient c = new UdpClient(rdv.port(), "bob", ROOM, id, wallet)) {
      c.establish(NO_LOSS);
      assertRegistered(c);
      AtomicInteger resumes = new AtomicInteger();
      AtomicInteger resumeds = new AtomicInteger();
      // The network eats the first RESUME, and the RESUMED that answers the second.
      List<Type> sent = c.establish((out, d) -> out ? d[1] == Type.RESUME.code() && resumes.incrementAndGet() == 1
        : d[1] == Type.RESUMED.code() && resumeds.incrementAndGet() == 1);
      assertEquals(List.of(Type.RESUME, Type.RESUME, Type.RESUME), sent);
      assertRegistered(c);
      assertEquals(2, resumeds.get(), "the third RESUME's answer came through");
    }
  }

  @Test
  void anotherRendezvoussTicketIsDroppedAndCountedAndTheClientFallsBackToTheFullHandshake(@TempDir Path otherDir) {
    NodeIdentity id = NodeIdentity.generate();
    TicketWallet wallet = new TicketWallet();
    try (RendezvousHarness ours = new RendezvousHarness(harnessConfig(dataDir));
         RendezvousHarness stranger = new RendezvousHarness(harnessConfig(otherDir));
         UdpClient c = new UdpClient(ours.port(), "cat", ROOM, id, wallet);
         UdpClient elsewhere = new UdpClient(stranger.port(), "cat", ROOM, id, wallet)) {
      c.establish(NO_LOSS);
      assertRegistered(c);
      long unauthenticated = stranger.drops("unauthenticated");
      List<Type> sent = elsewhere.establish(NO_LOSS);
      assertEquals(List.of(Type.RESUME, Type.RESUME, Type.RESUME), sent.subList(0, 3), "three unanswered RESUMEs");
      assertEquals(Type.INITIATION, sent.get(sent.size() - 1), "then the full handshake: " + sent);
      assertEquals(unauthenticated + 3, stranger.drops("unauthenticated"), "each RESUME dropped and counted");
      assertRegistered(elsewhere);
      assertTrue(wallet.holdsTicket(), "now with the other rendezvous's ticket");
    }
  }
}
