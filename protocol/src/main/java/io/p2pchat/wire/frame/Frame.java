package io.p2pchat.wire.frame;

/**
 * One frame of a DATA packet body (see docs/PROTOCOL.md, "DATA"). A body is a sequence of frames;
 * a PADDING byte ends it. Sequence numbers are carried as u32 on the wire: the codec writes the low
 * 32 bits of the {@code long} fields and decodes them as 0..2^32-1; {@code io.p2pchat.delivery}
 * expands them back to 64 bits relative to its own position (see {@code SeqNumbers}).
 */
public sealed interface Frame permits MsgFrame, AckFrame, PingFrame, PongFrame, ByeFrame, ForgetFrame {
}
