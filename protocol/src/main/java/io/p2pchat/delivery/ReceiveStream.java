package io.p2pchat.delivery;

import io.p2pchat.wire.frame.AckFrame;
import io.p2pchat.wire.frame.ForgetFrame;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.MsgFrame;
import io.p2pchat.wire.frame.SeqRange;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiving half of one peer's reliable ordered stream: dedupes fragments, holds out-of-order
 * ones (bounded), reassembles messages and hands them to the {@link MessageSink} strictly in seq
 * order, each exactly once, and decides when to ACK. Pure state, driven with {@code nowNanos}.
 *
 * <p>Three positions: {@code deliverBase} (first seq not handed over; always a message start),
 * {@code ackCum} (first seq not received: the cumulative ACK) and {@code highest} (one above the
 * highest seq held). Fragments are kept in a ring indexed by {@code seq & mask} of
 * {@code receiveHoldbackFragments} slots; a fragment at or above {@code deliverBase + holdback} is
 * dropped (the sender retransmits it later). The byte cap drops out-of-order fragments only: the
 * fragment at {@code ackCum} is always taken, so the stream can never wedge; held bytes are thus
 * bounded by {@code receiveHoldbackBytes + maxMessageBytes}.
 */
public final class ReceiveStream {

  private static final long NANOS_PER_MICRO = 1000;

  private final DeliveryOptions options;
  private final MessageSink sink;
  private final int capacity;
  private final int mask;
  private final byte[][] slotData;
  private final long[] slotSeq;
  private final int[] slotIndex;
  private final int[] slotCount;

  private long deliverBase;
  private long ackCum;
  private long highest;
  private long heldBytes;

  private boolean ackPending;
  private long ackDueAt = Long.MAX_VALUE;
  private int unackedInOrder;
  private long largestReceivedAt;

  private final long[] rangeStarts = new long[FrameCodec.MAX_ACK_RANGES];
  private final long[] rangeEnds = new long[FrameCodec.MAX_ACK_RANGES];
  /** Seqs above ackCum received (or received again) since the last ACK: their ranges are reported first. */
  private final long[] recent = new long[FrameCodec.MAX_ACK_RANGES];
  private int recentCount;

  private long duplicates;
  private long dropped;
  private long delivered;

  public ReceiveStream(DeliveryOptions options, MessageSink sink) {
    this.options = new DeliveryOptions(options).validate();
    this.sink = sink;
    this.capacity = this.options.getReceiveHoldbackFragments();
    int cap = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
    this.mask = cap - 1;
    slotData = new byte[cap][];
    slotSeq = new long[cap];
    slotIndex = new int[cap];
    slotCount = new int[cap];
  }

  /**
   * Takes one MSG frame.
   *
   * @throws DeliveryProtocolException when the fragment can never assemble (more fragments than the
   *                                   holdback, or inconsistent with the fragments around it)
   */
  public void onMsgFrame(MsgFrame frame, long nowNanos) {
    long seq = SeqNumbers.expand(frame.seq(), ackCum);
    if (frame.fragCount() > capacity) {
      throw new DeliveryProtocolException("message of " + frame.fragCount() + " fragments above holdback " + capacity);
    }
    int slot = (int) seq & mask;
    if (seq < ackCum || (slotData[slot] != null && slotSeq[slot] == seq)) {
      duplicates++;
      noteRecent(seq);
      ackNow(nowNanos); // the sender has not seen our ACK yet
      return;
    }
    byte[] data = frame.data();
    if (seq >= deliverBase + capacity || (seq != ackCum && heldBytes + data.length > options.getReceiveHoldbackBytes())) {
      dropped++;
      return;
    }
    slotData[slot] = data;
    slotSeq[slot] = seq;
    slotIndex[slot] = frame.fragIndex();
    slotCount[slot] = frame.fragCount();
    heldBytes += data.length;
    ackPending = true;
    if (seq + 1 >= highest) {
      highest = seq + 1;
      largestReceivedAt = nowNanos;
    }
    if (seq == ackCum) {
      long before = ackCum;
      advanceAckCum();
      if (ackCum - before > 1 || highest > ackCum) {
        ackNow(nowNanos); // filled a gap, or gaps remain: tell the sender at once
      } else if (++unackedInOrder >= options.getAckEveryFragments()) {
        ackNow(nowNanos);
      } else {
        ackDueAt = Math.min(ackDueAt, nowNanos + options.getAckDelayNanos());
      }
      deliverReady();
    } else {
      noteRecent(seq);
      ackNow(nowNanos); // out of order: a gap the sender should learn about now
    }
  }

  private void noteRecent(long seq) {
    if (seq > ackCum && recentCount < recent.length
        && (recentCount == 0 || seq != recent[recentCount - 1] + 1)) {
      recent[recentCount++] = seq;
    }
  }

  /** Takes a FORGET frame: delivers what is complete below it, drops the rest, moves past it. */
  public void onForget(ForgetFrame frame, long nowNanos) {
    long below = SeqNumbers.expand(frame.below(), ackCum);
    ackNow(nowNanos);
    ackPending = true;
    if (below <= ackCum) {
      return;
    }
    long s = deliverBase;
    long ringEnd = deliverBase + capacity;
    while (s < below && s < ringEnd) {
      int n = completeAt(s);
      if (n > 0) {
        deliver(s, n);
        s += n;
      } else {
        clear(s);
        s++;
      }
    }
    deliverBase = Math.max(s, below);
    ackCum = Math.max(ackCum, deliverBase);
    highest = Math.max(highest, ackCum);
    advanceAckCum();
    deliverReady();
  }

  private void advanceAckCum() {
    while (ackCum < highest && present(ackCum)) {
      ackCum++;
    }
  }

  private void deliverReady() {
    while (deliverBase < ackCum) {
      int slot = (int) deliverBase & mask;
      int n = slotCount[slot];
      if (slotIndex[slot] != 0) {
        throw new DeliveryProtocolException("seq " + deliverBase + " starts a message but is fragment "
            + slotIndex[slot] + "/" + n);
      }
      if (deliverBase + n > ackCum) {
        return; // the rest of the message is still missing
      }
      if (completeAt(deliverBase) == 0) {
        throw new DeliveryProtocolException("fragments at seq " + deliverBase + " do not assemble into one message");
      }
      deliver(deliverBase, n);
      deliverBase += n;
    }
  }

  /** Fragment count of the message starting at {@code s} if all its fragments are held, else 0. */
  private int completeAt(long s) {
    if (!present(s)) {
      return 0;
    }
    int slot = (int) s & mask;
    int n = slotCount[slot];
    if (slotIndex[slot] != 0) {
      return 0;
    }
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      int sl = (int) (s + i) & mask;
      if (!present(s + i) || slotIndex[sl] != i || slotCount[sl] != n) {
        return 0;
      }
      bytes += slotData[sl].length;
    }
    if (bytes > options.getMaxMessageBytes()) {
      throw new DeliveryProtocolException("message at seq " + s + " of " + bytes + " bytes above the maximum");
    }
    return n;
  }

  private void deliver(long s, int n) {
    byte[] message;
    if (n == 1) {
      message = slotData[(int) s & mask];
    } else {
      int total = 0;
      for (int i = 0; i < n; i++) {
        total += slotData[(int) (s + i) & mask].length;
      }
      message = new byte[total];
      int off = 0;
      for (int i = 0; i < n; i++) {
        byte[] part = slotData[(int) (s + i) & mask];
        System.arraycopy(part, 0, message, off, part.length);
        off += part.length;
      }
    }
    for (int i = 0; i < n; i++) {
      clear(s + i);
    }
    delivered++;
    sink.message(message);
  }

  private boolean present(long seq) {
    int slot = (int) seq & mask;
    return slotData[slot] != null && slotSeq[slot] == seq;
  }

  private void clear(long seq) {
    int slot = (int) seq & mask;
    if (slotData[slot] != null && slotSeq[slot] == seq) {
      heldBytes -= slotData[slot].length;
      slotData[slot] = null;
    }
  }

  private void ackNow(long nowNanos) {
    ackPending = true;
    ackDueAt = Math.min(ackDueAt, nowNanos);
  }

  // ---------------------------------------------------------------- acks

  /** True when an ACK must be sent now (out-of-order arrival, duplicate, or the ack delay passed). */
  public boolean ackDue(long nowNanos) {
    return ackPending && nowNanos >= ackDueAt;
  }

  /** True when something was received since the last ACK (worth riding on any outgoing packet). */
  public boolean ackPending() {
    return ackPending;
  }

  /** When an ACK becomes due; Long.MAX_VALUE when nothing is waiting to be acked. */
  public long nextDeadlineNanos() {
    return ackPending ? ackDueAt : Long.MAX_VALUE;
  }

  /**
   * Builds the ACK to send now and resets the ack timer. It carries the cumulative point and up to
   * {@link FrameCodec#MAX_ACK_RANGES} ranges: first the ranges holding seqs that arrived since the
   * last ACK (so a retransmission the receiver already had, whose earlier ACK was lost, is reported
   * again), then the highest other ranges.
   */
  public AckFrame buildAck(long nowNanos) {
    int n = 0;
    for (int i = 0; i < recentCount && n < rangeStarts.length; i++) {
      long r = recent[i];
      if (r > ackCum && present(r)) {
        n = addRunAround(r, n);
      }
    }
    recentCount = 0;
    long s = highest - 1;
    while (s > ackCum && n < rangeStarts.length) {
      if (present(s)) {
        n = addRunAround(s, n);
        s = runStart(s) - 1;
      } else {
        s--;
      }
    }
    sortRanges(n);
    List<SeqRange> ranges = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ranges.add(new SeqRange(rangeStarts[i], rangeEnds[i]));
    }
    ackPending = false;
    ackDueAt = Long.MAX_VALUE;
    unackedInOrder = 0;
    long delayMicros = Math.max(0, (nowNanos - largestReceivedAt) / NANOS_PER_MICRO);
    return new AckFrame(ackCum, delayMicros, ranges);
  }

  /** Adds the maximal run of held seqs around {@code s} (above ackCum) unless already chosen. */
  private int addRunAround(long s, int n) {
    long start = runStart(s);
    for (int i = 0; i < n; i++) {
      if (rangeStarts[i] == start) {
        return n;
      }
    }
    long end = s + 1;
    while (end < highest && present(end)) {
      end++;
    }
    rangeStarts[n] = start;
    rangeEnds[n] = end;
    return n + 1;
  }

  private long runStart(long s) {
    while (s - 1 > ackCum && present(s - 1)) {
      s--;
    }
    return s;
  }

  private void sortRanges(int n) {
    for (int i = 1; i < n; i++) {
      long st = rangeStarts[i];
      long en = rangeEnds[i];
      int j = i - 1;
      while (j >= 0 && rangeStarts[j] > st) {
        rangeStarts[j + 1] = rangeStarts[j];
        rangeEnds[j + 1] = rangeEnds[j];
        j--;
      }
      rangeStarts[j + 1] = st;
      rangeEnds[j + 1] = en;
    }
  }

  // ---------------------------------------------------------------- observation

  /** Bytes held for reordering and reassembly. */
  public long heldBytes() {
    return heldBytes;
  }

  /** The cumulative ACK point: every seq below it was received or forgotten. */
  public long cumulative() {
    return ackCum;
  }

  /** Fragments received again (already held or below the cumulative point). */
  public long duplicates() {
    return duplicates;
  }

  /** Fragments dropped for lack of holdback room. */
  public long dropped() {
    return dropped;
  }

  /** Messages handed to the sink. */
  public long deliveredMessages() {
    return delivered;
  }
}
