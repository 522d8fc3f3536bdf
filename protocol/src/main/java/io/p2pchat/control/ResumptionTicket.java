package io.p2pchat.control;

import io.p2pchat.crypto.Keys;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;

/**
 * A stateless resumption ticket (TLS 1.3's PSK tickets, RFC 8446 section 4.6.1, as QUIC uses them): what
 * a rendezvous needs to resume a client's control session without any public-key work, sealed under the
 * cluster's {@link TicketKeys} so that only the rendezvous (any instance of its cluster) reads it, and
 * held by the client, which cannot read or change it.
 * <pre>
 *   ticket   key id u32 | nonce [12] | AES-256-GCM(contents) + tag [16]        (key id and nonce: associated data)  137
 *   contents version u8 (1) | authenticated at u64 (ms) | client X25519 static [32] | client Ed25519 key [32]
 *            | resumption secret [32]                                                                             105
 * </pre>
 * "Authenticated at" is when the full IK handshake the chain of tickets started from proved the two keys
 * (the binding signature was verified then): a ticket opens until {@link #LIFETIME_MILLIS} after it, then
 * the client runs a full handshake again. The secret is the IK handshake's
 * {@link io.p2pchat.crypto.NoiseHandshake#resumptionSecret()} for the first ticket and a resumed session's
 * {@link Resumption.Keys#nextSecret()} for the later ones: never sent in clear, never the same twice.
 */
public final class ResumptionTicket {
  /** Version byte of the contents. */
  static final int VERSION = 1;
  /** AES-GCM nonce of a ticket: random per ticket (96 bits, as GCM wants; 2^32 tickets per key stay far from a collision). */
  static final int NONCE_LENGTH = 12;
  /** Contents' bytes. */
  static final int CONTENTS_LENGTH = 1 + Long.BYTES + 3 * Keys.KEY_LENGTH;
  /** A ticket's bytes. */
  public static final int LENGTH = Integer.BYTES + NONCE_LENGTH + CONTENTS_LENGTH + io.p2pchat.crypto.CipherSuite.TAG_LENGTH;
  /**
   * A ticket opens for two hours after its chain's full handshake: two rotations of {@link TicketKeys},
   * no longer than a key is kept, and 60 of the 120 s re-keys in a row without a public-key operation.
   * Then a full IK starts a new chain.
   */
  public static final long LIFETIME_MILLIS = TicketKeys.KEEP_MILLIS;

  /** What a ticket holds. */
  public record Contents(long authenticatedAtMillis, byte[] clientStatic, byte[] signingKey, byte[] secret) {
  }

  private ResumptionTicket() {
  }

  /** Seals {@code contents} under the key of {@code keys} that seals at {@code nowMillis}. */
  public static byte[] seal(TicketKeys keys, Contents contents, long nowMillis, SecureRandom random) {
    TicketKeys.Key key = keys.current(nowMillis);
    byte[] nonce = new byte[NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] aad = ByteBuffer.allocate(Integer.BYTES + NONCE_LENGTH).putInt(key.id()).put(nonce).array();
    byte[] plain = ByteBuffer.allocate(CONTENTS_LENGTH).put((byte) VERSION).putLong(contents.authenticatedAtMillis())
        .put(contents.clientStatic()).put(contents.signingKey()).put(contents.secret()).array();
    byte[] sealed = Resumption.seal(key.secret(), nonce, aad, plain);
    Arrays.fill(plain, (byte) 0);
    return ByteBuffer.allocate(LENGTH).put(aad).put(sealed).array();
  }

  /**
   * Opens a ticket sealed under one of {@code keys} and not older than {@link #LIFETIME_MILLIS} at
   * {@code nowMillis}; anything else throws with reason {@link ControlDrop#BAD_TICKET} (unknown key,
   * changed byte) or {@link ControlDrop#TICKET_EXPIRED}.
   */
  public static Contents open(TicketKeys keys, byte[] ticket, long nowMillis) throws ControlException {
    if (ticket.length != LENGTH) {
      throw new ControlException(ControlDrop.BAD_TICKET, "ticket of " + ticket.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(ticket);
    int id = in.getInt();
    TicketKeys.Key key = keys == null ? null : keys.find(id);
    if (key == null) {
      throw new ControlException(ControlDrop.BAD_TICKET, "ticket key " + Integer.toHexString(id) + " unknown here");
    }
    byte[] nonce = Arrays.copyOfRange(ticket, Integer.BYTES, Integer.BYTES + NONCE_LENGTH);
    byte[] plain;
    try {
      plain = Resumption.open(key.secret(), nonce, Arrays.copyOf(ticket, Integer.BYTES + NONCE_LENGTH),
          Arrays.copyOfRange(ticket, Integer.BYTES + NONCE_LENGTH, LENGTH));
    } catch (AEADBadTagException e) {
      throw new ControlException(ControlDrop.BAD_TICKET, "ticket failed authentication");
    }
    ByteBuffer p = ByteBuffer.wrap(plain);
    if (p.get() != VERSION) {
      throw new ControlException(ControlDrop.BAD_TICKET, "ticket contents of another version");
    }
    long authenticatedAt = p.getLong();
    if (nowMillis - authenticatedAt >= LIFETIME_MILLIS) {
      throw new ControlException(ControlDrop.TICKET_EXPIRED, "ticket of a handshake "
          + TimeUnit.MILLISECONDS.toMinutes(nowMillis - authenticatedAt) + " min ago");
    }
    byte[] clientStatic = new byte[Keys.KEY_LENGTH];
    byte[] signingKey = new byte[Keys.KEY_LENGTH];
    byte[] secret = new byte[Keys.KEY_LENGTH];
    p.get(clientStatic).get(signingKey).get(secret);
    return new Contents(authenticatedAt, clientStatic, signingKey, secret);
  }
}
