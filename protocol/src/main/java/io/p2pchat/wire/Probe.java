package io.p2pchat.wire;

/**
 * A {@code punch} or {@code punched} probe between two peers of one introduction.
 *
 * @param kind punch (a request) or punched (its answer)
 * @param introId the introduction both peers got from the rendezvous
 * @param txId matches a punched to the punch it answers
 * @param senderIndex the sender's session id for this peer (goes into DATA headers sent to it)
 * @param observed punched only: the address the punch came from (the asker's reflexive address)
 */
public record Probe(Kind kind, long introId, long txId, int senderIndex, Endpoint observed) {

  public enum Kind { PUNCH, PUNCHED }
}
