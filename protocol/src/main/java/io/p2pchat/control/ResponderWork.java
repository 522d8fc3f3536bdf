package io.p2pchat.control;

import io.p2pchat.crypto.CipherSuite;
import io.p2pchat.crypto.HandshakeException;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.NoiseHandshake;
import io.p2pchat.crypto.ResponderCache;
import io.p2pchat.crypto.SessionKeys;

/**
 * The IK responder's public-key work for one initiation whose cookie verified ({@link ControlServer.Event.Deferred}):
 * read message 1 (es, ss), check the binding of the client's static key to its identity (one Ed25519 verify),
 * write message 2 (a fresh ephemeral, ee, se) with the session's reset token, split. ss and the binding come
 * from the {@link ResponderCache} for a client seen before. Touches no server state: {@link #run} may run on
 * any thread, once; {@link ControlServer#complete} applies the outcome on the owner's (the handoff between the
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
  private boolean ran;
  private ControlDrop drop;
  private String why;
  private InitiationPayload payload;
  private byte[] clientStatic;
  private SessionKeys keys;
  private byte[] response;

  ResponderWork(NodeIdentity identity, byte[] prologue, CipherSuite suite, ResponderCache cache,
      ControlMessage.Initiation initiation, int index, byte[] resetToken) {
    this.identity = identity;
    this.prologue = prologue;
    this.suite = suite;
    this.cache = cache;
    this.initiation = initiation;
    this.index = index;
    this.resetToken = resetToken;
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
      // The response's payload is the session's reset token: only the client learns it, authenticated.
      response = hs.writeMessage(resetToken);
      keys = hs.split();
      return this;
    } catch (HandshakeException e) {
      return refused(ControlDrop.UNAUTHENTICATED, "initiation: " + e.getMessage());
    } catch (ControlException e) {
      return refused(e.drop(), e.getMessage());
    }
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
