package io.p2pchat.crypto;

/**
 * The two transport ciphers of an established session, already oriented for the local role:
 * {@code send} encrypts what this node sends, {@code receive} decrypts what the peer sends.
 * {@code handshakeHash} is the Noise handshake hash h, a unique channel-binding value of the session.
 */
public record SessionKeys(TransportCipher send, TransportCipher receive, byte[] handshakeHash) {
  public SessionKeys {
    handshakeHash = handshakeHash.clone();
  }

  @Override
  public byte[] handshakeHash() {
    return handshakeHash.clone();
  }
}
