package io.p2pchat.control;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.HandshakeException;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.NoiseHandshake;
import io.p2pchat.crypto.ResponderCache;
import io.p2pchat.crypto.SessionKeys;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * The IK responder's public-key work for one initiation whose cookie verified ({@link ControlServer.Event.Deferred}):
 * read message 1 (es, ss), check the binding of the client's static key to its identity (one Ed25519 verify),
 * write message 2 (a fresh ephemeral, ee, se) with the session's reset token and its first resumption
 * ticket, split. ss and the binding come from the {@link ResponderCache} for a client seen before. Touches
 * no server state: {@link #run} may run on any thread, once; {@link ControlServer#complete} applies the outcome on the owner's (the handoff between the
 * two, e.g. Vert.x's executeBlocking, makes the fields visible there).
 */
public final class ResponderWork {
  private final NodeIdentity identity;
  private final byte[] prologue;
  private final CipherSuite suite;
  private final ResponderCache cache;
  private final ControlMessage.Initiation initiation;
  private final int index;
  private final byte[] resetToken;
  private final Tickets tickets;
  private boolean ran;
  private ControlDrop drop;
  private String why;
  private InitiationPayload payload;
  private byte[] clientStatic;
  private SessionKeys keys;
  private byte[] response;

  ResponderWork(NodeIdentity identity, byte[] prologue, CipherSuite suite, ResponderCache cache,
      ControlMessage.Initiation initiation, int index, byte[] resetToken, Tickets tickets) {
    this.identity = identity;
    this.prologue = prologue;
    this.suite = suite;
    this.cache = cache;
    this.initiation = initiation;
    this.index = index;
    this.resetToken = resetToken;
    this.tickets = tickets;
  }

  /**
   * What the first {@link ResumptionTicket} of the session is sealed with.
   *
   * @param keys the server's ticket keys when the initiation arrived; null: no ticket is issued
   * @param random the server's (thread-safe) source of the ticket's nonce
   * @param nowMillis the wall clock when the initiation arrived: the ticket's authentication time
   */
  record Tickets(TicketKeys keys, SecureRandom random, long nowMillis) {
  }

  /** Runs the handshake (blocking: ~0.3-0.6 ms of public-key work); returns this, with a session or a drop. */
  public ResponderWork run() {
    if (ran) {
      throw new IllegalStateException("BUG: responder work run twice");
    }
    ran = true;
    NoiseHandshake hs = NoiseHandshake.ikResponder(identity, prologue, suite, cache);
    try {
      payload = InitiationPayload.decode(hs.readMessage(initiation.noise()));
      clientStatic = hs.remoteStaticKey();
      if (!payload.binds(clientStatic, cache)) {
        return refused(ControlDrop.UNAUTHENTICATED, "the client's static key is not bound to its identity");
      }
      // The response's payload is the session's reset token, then (with ticket keys) a resumption ticket:
      // only the client learns them, authenticated.
      response = hs.writeMessage(this::responsePayload);
      keys = hs.split();
      return this;
    } catch (HandshakeException e) {
      return refused(ControlDrop.UNAUTHENTICATED, "initiation: " + e.getMessage());
    } catch (ControlException e) {
      return refused(e.drop(), e.getMessage());
    } finally {
      hs.destroy(); // split already wiped it; a refused or failed initiation is wiped here, not by the collector
    }
  }

  /** IK message 2's payload, made once the handshake's resumption {@code secret} is known (null: no ticket). */
  private byte[] responsePayload(byte[] secret) {
    if (tickets.keys() == null || secret == null) {
      return resetToken;
    }
    byte[] ticket = ResumptionTicket.seal(tickets.keys(), new ResumptionTicket.Contents(tickets.nowMillis(),
        clientStatic, payload.signingKey(), secret), tickets.nowMillis(), tickets.random());
    return ByteBuffer.allocate(resetToken.length + ticket.length).put(resetToken).put(ticket).array();
  }

  private ResponderWork refused(ControlDrop drop, String why) {
    this.drop = drop;
    this.why = why;
    payload = null;
    keys = null;
    return this;
  }

  /** Why the handshake was refused, or null when it succeeded. */
  ControlDrop drop() {
    requireRan();
    return drop;
  }

  String why() {
    return why;
  }

  InitiationPayload payload() {
    return payload;
  }

  byte[] clientStatic() {
    return clientStatic;
  }

  SessionKeys keys() {
    return keys;
  }

  /** Message 2's Noise bytes. */
  byte[] response() {
    return response;
  }

  int index() {
    return index;
  }

  int senderIndex() {
    return initiation.senderIndex();
  }

  private void requireRan() {
    if (!ran) {
      throw new IllegalStateException("BUG: responder work completed before it ran");
    }
  }
}
