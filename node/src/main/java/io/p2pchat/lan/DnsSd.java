package io.p2pchat.lan;

import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.dns.DnsCodec;
import io.p2pchat.wire.dns.DnsMessage;
import io.p2pchat.wire.dns.DnsRecord;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DNS-SD shape of a p2pchat node (RFC 6763): pure, from a {@link LanPeer} to the records of an
 * announcement and back.
 * <pre>
 * _p2pchat._udp.local            PTR  p2pchat-ID._p2pchat._udp.local
 * p2pchat-ID._p2pchat._udp.local SRV  0 0 PORT p2pchat-ID.local
 * p2pchat-ID._p2pchat._udp.local TXT  "v=1" "room=ROOMID" "fp=FINGERPRINT" "sk=STATICKEY"
 * p2pchat-ID.local               A    LAN ADDRESS
 * </pre>
 */
public final class DnsSd {

  /** The service type every p2pchat node announces and browses. */
  public static final String SERVICE = "_p2pchat._udp.local";
  /** The DNS-SD meta-query for service types (RFC 6763 section 9): answered so {@code avahi-browse -a} lists us. */
  public static final String SERVICES = "_services._dns-sd._udp.local";
  static final String LOCAL = ".local";
  /** TTL of the host-bound records (SRV, A): RFC 6762 section 10 recommends 120 s. */
  static final long HOST_TTL_SECONDS = 120;
  /** TTL of the other records (PTR, TXT): RFC 6762 section 10 recommends 75 minutes. */
  static final long OTHER_TTL_SECONDS = 4500;
  /** Longest room id a TXT string can carry after {@code room=}: a string is at most 255 bytes. */
  static final int MAX_ROOM_BYTES = DnsCodec.MAX_TXT_STRING - "room=".length();
  private static final String V = "v";
  private static final String ROOM = "room";
  private static final String FP = "fp";
  private static final String SK = "sk";
  private static final int STATIC_KEY_BYTES = 32;

  private DnsSd() {
  }

  /** The full name of an instance label. */
  static String serviceName(String instance) {
    return instance + "." + SERVICE;
  }

  /** A query for every p2pchat node (PTR of the service type), asking for a multicast answer. */
  static DnsMessage query() {
    return new DnsMessage(0, false, List.of(new DnsMessage.Question(SERVICE, DnsCodec.TYPE_PTR, false)),
      List.of(), List.of());
  }

  /** The announcement of {@code self}, or its answer to a query (with {@code id} echoed for a legacy unicast one). */
  static DnsMessage announcement(LanPeer self, int id, long ttlScale) {
    String name = serviceName(self.instance());
    String host = self.instance() + LOCAL;
    List<String> txt = List.of(V + "=" + self.version(), ROOM + "=" + self.room(),
      FP + "=" + self.fingerprint(), SK + "=" + Base64.getUrlEncoder().withoutPadding().encodeToString(self.staticKey()));
    return new DnsMessage(id, true, List.of(),
      List.of(new DnsRecord(SERVICE, DnsCodec.TYPE_PTR, false, OTHER_TTL_SECONDS * ttlScale, new DnsRecord.Ptr(name))),
      List.of(
        new DnsRecord(name, DnsCodec.TYPE_SRV, true, HOST_TTL_SECONDS * ttlScale,
          new DnsRecord.Srv(0, 0, self.endpoint().port(), host)),
        new DnsRecord(name, DnsCodec.TYPE_TXT, true, OTHER_TTL_SECONDS * ttlScale, new DnsRecord.Txt(txt)),
        new DnsRecord(host, DnsCodec.TYPE_A, true, HOST_TTL_SECONDS * ttlScale, new DnsRecord.A(self.endpoint().host()))));
  }

  /** The answer to the service-type enumeration: one PTR to our service type. */
  static DnsMessage serviceType(int id) {
    return new DnsMessage(id, true, List.of(),
      List.of(new DnsRecord(SERVICES, DnsCodec.TYPE_PTR, false, OTHER_TTL_SECONDS, new DnsRecord.Ptr(SERVICE))),
      List.of());
  }

  /** What {@code query} asks of us: nothing, the service type list, or our instance. */
  enum Asked { NOTHING, SERVICE_TYPES, INSTANCE }

  static Asked asked(DnsMessage query, String instance) {
    String name = serviceName(instance).toLowerCase(Locale.ROOT);
    String host = (instance + LOCAL).toLowerCase(Locale.ROOT);
    Asked asked = Asked.NOTHING;
    for (DnsMessage.Question q : query.questions()) {
      String n = q.name().toLowerCase(Locale.ROOT);
      if (n.equals(SERVICE) || n.equals(name) || n.equals(host)) {
        return Asked.INSTANCE;
      }
      if (n.equals(SERVICES)) {
        asked = Asked.SERVICE_TYPES;
      }
    }
    return asked;
  }

  /**
   * The p2pchat nodes a response announces with everything needed (SRV, TXT and A in the same
   * message, as our announcements and answers carry them); instances with a field missing or
   * malformed are skipped. A TTL of 0 (a goodbye) is not a peer.
   */
  static List<LanPeer> peers(DnsMessage response) {
    Map<String, DnsRecord.Srv> srv = new HashMap<>();
    Map<String, List<String>> txt = new HashMap<>();
    Map<String, String> a = new HashMap<>();
    List<String> instances = new ArrayList<>();
    for (DnsRecord r : response.records()) {
      String owner = r.name().toLowerCase(Locale.ROOT);
      if (r.data() instanceof DnsRecord.Ptr ptr && owner.equals(SERVICE) && r.ttlSeconds() > 0) {
        instances.add(ptr.target().toLowerCase(Locale.ROOT));
      } else if (r.data() instanceof DnsRecord.Srv s) {
        srv.put(owner, s);
      } else if (r.data() instanceof DnsRecord.Txt t) {
        txt.put(owner, t.strings());
      } else if (r.data() instanceof DnsRecord.A addr) {
        a.put(owner, addr.address());
      }
    }
    List<LanPeer> peers = new ArrayList<>();
    for (String name : instances) {
      if (!name.endsWith("." + SERVICE) || srv.get(name) == null || txt.get(name) == null) {
        continue;
      }
      DnsRecord.Srv s = srv.get(name);
      String address = a.get(s.target().toLowerCase(Locale.ROOT));
      LanPeer peer = address == null ? null : parse(name.substring(0, name.length() - SERVICE.length() - 1),
        txt.get(name), new Endpoint(address, s.port()));
      if (peer != null) {
        peers.add(peer);
      }
    }
    return peers;
  }

  private static LanPeer parse(String instance, List<String> strings, Endpoint endpoint) {
    Map<String, String> fields = new HashMap<>();
    for (String s : strings) {
      int eq = s.indexOf('=');
      // RFC 6763 section 6.4: keys are case-insensitive; the first occurrence wins
      if (eq > 0) {
        fields.putIfAbsent(s.substring(0, eq).toLowerCase(Locale.ROOT), s.substring(eq + 1));
      }
    }
    try {
      int version = Integer.parseInt(fields.getOrDefault(V, ""));
      byte[] key = Base64.getUrlDecoder().decode(fields.getOrDefault(SK, ""));
      String room = fields.get(ROOM);
      String fp = fields.get(FP);
      if (key.length != STATIC_KEY_BYTES || room == null || fp == null || endpoint.port() == 0) {
        return null;
      }
      return new LanPeer(instance, version, room, fp, key, endpoint);
    } catch (IllegalArgumentException e) { // NumberFormatException too
      return null;
    }
  }
}
