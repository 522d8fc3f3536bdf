package io.p2pchat.lan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.p2pchat.wire.dns.DnsCodec;
import io.p2pchat.wire.dns.DnsMessage;
import io.p2pchat.wire.dns.DnsRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 19: a node's DNS-SD records and back; incomplete or malformed announcements are no peer. */
class DnsSdTest {

  private static final byte[] KEY = new byte[32];
  private static final LanPeer FRANK = new LanPeer("p2pchat-00ff", 1, "lobby", "d23b9b43f12fa8e5daac456764d5ec771ed4ce1e",
    KEY, new Endpoint("192.0.2.195", 4000));

  @Test
  void anAnnouncementParsesBackThroughTheWire() throws WireException {
    DnsMessage wire = DnsCodec.decode(DnsCodec.encode(DnsSd.announcement(FRANK, 0, 1)));
    List<LanPeer> peers = DnsSd.peers(wire);
    assertEquals(1, peers.size());
    LanPeer p = peers.get(0);
    assertEquals(FRANK.instance(), p.instance());
    assertEquals(FRANK.room(), p.room());
    assertEquals(FRANK.fingerprint(), p.fingerprint());
    assertEquals(FRANK.endpoint(), p.endpoint());
    assertArrayEquals(KEY, p.staticKey());
  }

  @Test
  void aGoodbyeOrAnIncompleteAnnouncementIsNoPeer() {
    assertTrue(DnsSd.peers(DnsSd.announcement(FRANK, 0, 0)).isEmpty(), "TTL 0: a goodbye");
    DnsMessage full = DnsSd.announcement(FRANK, 0, 1);
    for (int drop = 0; drop < full.additionals().size(); drop++) {
      List<DnsRecord> rest = new ArrayList<>(full.additionals());
      rest.remove(drop);
      assertTrue(DnsSd.peers(new DnsMessage(0, true, List.of(), full.answers(), rest)).isEmpty(), "without " + drop);
    }
  }

  @Test
  void malformedTxtIsNoPeer() {
    for (List<String> txt : List.of(List.of("v=x", "room=lobby", "fp=ab", "sk=AAAA"),
        List.of("v=1", "room=lobby", "fp=ab", "sk=short"), List.of("v=1", "fp=ab", "sk=" + "A".repeat(43)),
        List.of("v=1", "room=lobby", "sk=" + "A".repeat(43)), List.of("v=1", "room=lobby", "fp=ab", "sk=!!"))) {
      DnsMessage full = DnsSd.announcement(FRANK, 0, 1);
      List<DnsRecord> records = new ArrayList<>();
      for (DnsRecord r : full.additionals()) {
        records.add(r.type() == DnsCodec.TYPE_TXT ? new DnsRecord(r.name(), r.type(), true, 120, new DnsRecord.Txt(txt)) : r);
      }
      assertTrue(DnsSd.peers(new DnsMessage(0, true, List.of(), full.answers(), records)).isEmpty(), txt.toString());
    }
  }

  @Test
  void answersQueriesForItsNamesAndTheServiceTypeOnly() {
    assertEquals(DnsSd.Asked.INSTANCE, DnsSd.asked(DnsSd.query(), FRANK.instance()));
    assertEquals(DnsSd.Asked.INSTANCE, DnsSd.asked(q("P2PCHAT-00FF.local"), FRANK.instance()));
    assertEquals(DnsSd.Asked.SERVICE_TYPES, DnsSd.asked(q(DnsSd.SERVICES), FRANK.instance()));
    assertEquals(DnsSd.Asked.NOTHING, DnsSd.asked(q("_http._tcp.local"), FRANK.instance()));
  }

  private static DnsMessage q(String name) {
    return new DnsMessage(0, false, List.of(new DnsMessage.Question(name, DnsCodec.TYPE_ANY, false)), List.of(), List.of());
  }
}
