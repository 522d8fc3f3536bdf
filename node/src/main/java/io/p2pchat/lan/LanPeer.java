package io.p2pchat.lan;

import io.p2pchat.wire.Endpoint;

/**
 * A p2pchat node as its mDNS announcement shows it: never its nick (that stays inside the sealed LAN
 * hello and the Noise handshake).
 *
 * @param instance   its DNS-SD instance label ({@code p2pchat-} and a random per-process hex id)
 * @param version    the packet protocol version it speaks ({@code v=})
 * @param room       its room id ({@code room=}: the name of a public room, the hashed id of a private one)
 * @param fingerprint its identity key's fingerprint, hex without spaces ({@code fp=})
 * @param staticKey  its Noise static key, 32 bytes ({@code sk=}, base64url): what the LAN hello is sealed to
 * @param endpoint   its UDP socket (SRV port, A address)
 */
public record LanPeer(String instance, int version, String room, String fingerprint, byte[] staticKey,
                      Endpoint endpoint) {

  /** Longest room id a TXT string can carry after {@code room=}: a TXT string is at most 255 bytes. */
  public static final int MAX_ROOM_BYTES = DnsSd.MAX_ROOM_BYTES;

  /** The same node announced at {@code at}. */
  public LanPeer at(Endpoint at) {
    return new LanPeer(instance, version, room, fingerprint, staticKey, at);
  }
}
