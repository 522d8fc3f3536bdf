package io.p2pchat.control;

/**
 * The messages of the control channel, decoded ({@link ControlCodec} has the byte layout). Byte
 * arrays are the decoder's own copies; the records do not copy them again on the per-datagram path.
 */
public sealed interface ControlMessage {

  /** Its type byte. */
  ControlCodec.Type type();

  /** Client → server: "give me a cookie and your key". {@code nonce} comes back in the {@link CookieReply}. */
  record Hello(byte[] nonce) implements ControlMessage {
    @Override
    public ControlCodec.Type type() {
      return ControlCodec.Type.HELLO;
    }
  }

  /**
   * Server → client, to a HELLO or an INITIATION without a valid cookie: the echoed {@code nonce}, a
   * cookie bound to the client's address, and the server's static X25519 key.
   */
  record CookieReply(byte[] nonce, byte[] cookie, byte[] serverKey) implements ControlMessage {
    @Override
    public ControlCodec.Type type() {
      return ControlCodec.Type.COOKIE;
    }
  }

  /** Client → server: Noise IK message 1 under a cookie; {@code senderIndex} names the client's session. */
  record Initiation(byte[] nonce, byte[] cookie, int senderIndex, byte[] noise) implements ControlMessage {
    @Override
    public ControlCodec.Type type() {
      return ControlCodec.Type.INITIATION;
    }
  }

  /** Server → client: Noise IK message 2 for the client's {@code receiverIndex}; {@code senderIndex} is the server's. */
  record Response(int receiverIndex, int senderIndex, byte[] noise) implements ControlMessage {
    @Override
    public ControlCodec.Type type() {
      return ControlCodec.Type.RESPONSE;
    }
  }

  /** Both ways: a control message sealed under the session {@code receiverIndex} names, nonce {@code counter}. */
  record Sealed(int receiverIndex, long counter) implements ControlMessage {
    @Override
    public ControlCodec.Type type() {
      return ControlCodec.Type.SEALED;
    }
  }

  /** A stateless reset: the server has no session {@code serverIndex}; {@code token} proves it holds the key. */
  record Reset(int serverIndex, byte[] token) implements ControlMessage {
    @Override
    public ControlCodec.Type type() {
      return ControlCodec.Type.RESET;
    }
  }

  /**
   * Client → server: resume a session from {@code ticket}; {@code senderIndex} names the client's new
   * session; {@code head} is the datagram before {@code sealedRequest} (its associated data).
   */
  record Resume(byte[] clientNonce, int senderIndex, byte[] ticket, byte[] head, byte[] sealedRequest)
      implements ControlMessage {
    @Override
    public ControlCodec.Type type() {
      return ControlCodec.Type.RESUME;
    }
  }

  /** Server → client: the resumed session for the client's {@code receiverIndex}; {@code senderIndex} is the server's. */
  record Resumed(int receiverIndex, int senderIndex, byte[] serverNonce, byte[] head, byte[] sealedAnswer)
      implements ControlMessage {
    @Override
    public ControlCodec.Type type() {
      return ControlCodec.Type.RESUMED;
    }
  }
}
