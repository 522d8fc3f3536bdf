package io.p2pchat.delivery;

import static io.p2pchat.delivery.LinkSimulation.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.wire.frame.AckFrame;
import io.p2pchat.wire.frame.ForgetFrame;
import io.p2pchat.wire.frame.MsgFrame;
import io.p2pchat.wire.frame.SeqRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamUnitTest {

  private final DeliveryOptions options = new DeliveryOptions();
  private final List<byte[]> got = new ArrayList<>();
  private final ReceiveStream rx = new ReceiveStream(options, got::add);

  private static MsgFrame frag(long seq, int index, int count, int b) {
    return new MsgFrame(seq, index, count, new byte[] {(byte) b});
  }

  @Test
  void rttFirstSampleThenClampAndBackOffToTheCap() {
    RttEstimator rtt = new RttEstimator(options);
    assertEquals(options.getInitialRtoNanos(), rtt.rtoNanos());
    rtt.onSample(10 * MS, 0);
    assertEquals(10 * MS, rtt.srttNanos());
    assertEquals(30 * MS, rtt.rtoNanos(), "10 + 4*5 = 30 ms, at the floor");
    for (int i = 0; i < 20; i++) {
      rtt.backOff();
    }
    assertEquals(options.getRtoMaxNanos(), rtt.rtoNanos());
    rtt.onSample(10 * MS, 0);
    assertEquals(0, rtt.backoffCount(), "a fresh sample ends the back-off");
  }

  @Test
  void inOrderArrivalAcksWithinTheDelayOutOfOrderAtOnce() {
    rx.onMsgFrame(frag(0, 0, 1, 1), 0);
    assertFalse(rx.ackDue(0));
    assertTrue(rx.ackDue(options.getAckDelayNanos()));
    assertEquals(new AckFrame(1, options.getAckDelayNanos() / 1000, List.of()), rx.buildAck(options.getAckDelayNanos()));
    rx.onMsgFrame(frag(3, 0, 1, 3), MS);
    assertTrue(rx.ackDue(MS), "a gap is reported at once");
    assertEquals(List.of(new SeqRange(3, 4)), rx.buildAck(MS).ranges());
  }

  @Test
  void fragmentsReassembleInOrderAndDuplicatesAreDroppedButReAcked() {
    rx.onMsgFrame(frag(1, 1, 2, 2), 0);
    rx.onMsgFrame(frag(2, 0, 1, 3), 0);
    assertEquals(0, got.size(), "message 0 is incomplete: nothing surfaces");
    rx.onMsgFrame(frag(0, 0, 2, 1), 0);
    assertEquals(2, got.size());
    assertArrayEquals(new byte[] {1, 2}, got.get(0));
    assertArrayEquals(new byte[] {3}, got.get(1));
    rx.buildAck(0);
    rx.onMsgFrame(frag(1, 1, 2, 2), MS);
    assertEquals(2, got.size());
    assertTrue(rx.ackDue(MS));
  }

  @Test
  void forgetSkipsAPartialMessageAndReleasesTheCompleteOnesAfterIt() {
    rx.onMsgFrame(frag(0, 0, 3, 1), 0); // message 0..2 misses seq 1
    rx.onMsgFrame(frag(2, 2, 3, 1), 0);
    rx.onMsgFrame(frag(3, 0, 1, 7), 0); // complete, held behind the hole
    rx.onMsgFrame(frag(5, 0, 1, 9), 0); // after seq 4, which is still to come
    rx.onForget(new ForgetFrame(4), MS);
    assertEquals(1, got.size());
    assertArrayEquals(new byte[] {7}, got.get(0));
    assertEquals(4, rx.cumulative());
    rx.onMsgFrame(frag(4, 0, 1, 8), MS);
    assertEquals(3, got.size());
    assertEquals(0, rx.heldBytes());
  }

  @Test
  void fragmentsThatDoNotAssembleAreAProtocolError() {
    rx.onMsgFrame(frag(0, 0, 2, 1), 0);
    assertThrows(DeliveryProtocolException.class, () -> rx.onMsgFrame(frag(1, 1, 3, 2), 0));
  }

  @Test
  void timeoutBacksOffAndRetransmits() {
    SendStream tx = new SendStream(options, new PeerDeliveryTest.NoopListener());
    tx.offer(1, new byte[10], 0);
    tx.writeFrames(new CollectingSink(2000), 0);
    assertEquals(options.getInitialRtoNanos(), tx.nextDeadlineNanos());
    tx.onTimer(options.getInitialRtoNanos());
    assertTrue(tx.hasDataToWrite(options.getInitialRtoNanos()));
    CollectingSink sink = new CollectingSink(2000);
    tx.writeFrames(sink, options.getInitialRtoNanos());
    assertEquals(List.of(new MsgFrame(0, 0, 1, new byte[10])), sink.frames);
    assertEquals(options.getInitialRtoNanos() * 3, tx.nextDeadlineNanos(), "RTO doubled");
  }
}
