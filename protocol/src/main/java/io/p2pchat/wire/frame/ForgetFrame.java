package io.p2pchat.wire.frame;

/**
 * FORGET: the sender gave up on every unacknowledged seq below {@code below} (their messages passed
 * the delivery deadline) and will never send them again. The receiver delivers the messages below
 * {@code below} it holds complete, drops the partial ones and moves its cumulative ACK to
 * {@code below}. Repeated by the sender until an ACK's cumulative reaches {@code below}.
 */
public record ForgetFrame(long below) implements Frame {
}
