package io.p2pchat.delivery;

import io.p2pchat.wire.frame.AckFrame;
import io.p2pchat.wire.frame.ForgetFrame;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.FrameSink;
import io.p2pchat.wire.frame.SeqRange;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The sending half of one peer's reliable ordered stream: a pure state machine the caller drives
 * with {@code nowNanos} (no timers, no sockets inside).
 *
 * <p>Messages are split into fragments with consecutive seqs. Per-fragment state lives in primitive
 * arrays indexed by {@code seq & mask} (a ring as large as the window), so the hot path allocates
 * nothing per fragment. Fragments in flight sit in an intrusive list ordered by transmission time,
 * which gives O(1) RTO checks (the head is the oldest) and O(1) packet-threshold loss detection
 * (a fragment is lost once a fragment transmitted {@code fastRetransmitThreshold} transmissions after
 * it is acked). RTT samples come only from fragments transmitted once (Karn).
 *
 * <p>A message not acked within the delivery deadline fails: its unacked fragments are dropped and
 * the stream sends FORGET(end of that message) until the peer's cumulative ACK passes it, so the
 * receiver skips the hole instead of waiting forever (docs/PROTOCOL.md, "FORGET").
 */
public final class SendStream {

  private static final byte FREE = 0;
  private static final byte QUEUED = 1;
  private static final byte IN_FLIGHT = 2;
  private static final byte LOST = 3;
  private static final byte ACKED = 4;
  private static final byte DROPPED = 5;
  private static final int NONE = -1;
  private static final long NANOS_PER_MICRO = 1000;

  /** One offered message; allocated once per offer, never per fragment. */
  private static final class OutMessage {
    final long handle;
    final byte[] bytes;
    final long firstSeq;
    final int fragCount;
    final long deadline;
    int acked;
    boolean resolved;

    OutMessage(long handle, byte[] bytes, long firstSeq, int fragCount, long deadline) {
      this.handle = handle;
      this.bytes = bytes;
      this.firstSeq = firstSeq;
      this.fragCount = fragCount;
      this.deadline = deadline;
    }
  }

  private final DeliveryOptions options;
  private final DeliveryListener listener;
  private final RttEstimator rtt;
  private final int fragPayload;
  private final int mask;

  private final OutMessage[] slotMsg;
  private final long[] slotSeq;
  private final byte[] slotState;
  private final long[] slotSentAt;
  private final long[] slotTxNo;
  private final int[] slotTxCount;
  private final int[] prev;
  private final int[] next;
  private int flightHead = NONE;
  private int flightTail = NONE;

  private long[] lostQueue = new long[64];
  private int lostHead;
  private int lostSize;

  private final ArrayDeque<OutMessage> pending = new ArrayDeque<>();
  private long sendBase;
  private long nextNewSeq;
  private long nextSeq;
  private long unackedBytes;
  private long nextTxNo;
  private long largestAckedTxNo = -1;
  private long lossTimerAt = Long.MAX_VALUE;

  private long forgetBelow;
  private boolean forgetPending;
  private long forgetDueAt = Long.MAX_VALUE;

  private boolean refused;
  private int refusedFragments;
  private int refusedBytes;

  private long[] deliveredScratch = new long[16];
  private int deliveredCount;

  private long retransmissions;
  private long lostByThreshold;
  private long lostByTimeout;
  private long transmissions;

  public SendStream(DeliveryOptions options, DeliveryListener listener) {
    this.options = new DeliveryOptions(options).validate();
    this.listener = listener;
    this.rtt = new RttEstimator(this.options);
    this.fragPayload = this.options.getFragmentPayloadBytes();
    int cap = Integer.highestOneBit(Math.max(1, this.options.getMaxUnackedFragments() - 1)) << 1;
    this.mask = cap - 1;
    slotMsg = new OutMessage[cap];
    slotSeq = new long[cap];
    slotState = new byte[cap];
    slotSentAt = new long[cap];
    slotTxNo = new long[cap];
    slotTxCount = new int[cap];
    prev = new int[cap];
    next = new int[cap];
  }

  // ---------------------------------------------------------------- offering

  /**
   * Queues a message. Returns false (back-pressure) when the window lacks room for it; the listener's
   * {@code windowOpened()} then fires once it has.
   *
   * @throws IllegalArgumentException when the message exceeds {@code maxMessageBytes}
   */
  public boolean offer(long handle, byte[] message, long nowNanos) {
    if (message.length > options.getMaxMessageBytes()) {
      throw new IllegalArgumentException("message of " + message.length + " bytes above " + options.getMaxMessageBytes());
    }
    int n = fragmentsOf(message.length);
    if (!fits(n, message.length)) {
      refused = true;
      refusedFragments = n;
      refusedBytes = message.length;
      return false;
    }
    OutMessage m = new OutMessage(handle, message, nextSeq, n, nowNanos + options.getDeliveryDeadlineNanos());
    for (int i = 0; i < n; i++) {
      int slot = (int) (nextSeq + i) & mask;
      slotMsg[slot] = m;
      slotSeq[slot] = nextSeq + i;
      slotState[slot] = QUEUED;
      slotTxCount[slot] = 0;
    }
    nextSeq += n;
    unackedBytes += message.length;
    pending.addLast(m);
    return true;
  }

  /** True when the window has room for at least one small message. */
  public boolean hasWindow() {
    return fits(1, 1);
  }

  /** True when a message of {@code length} bytes would be accepted by {@link #offer} now. */
  public boolean canOffer(int length) {
    return fits(fragmentsOf(length), length);
  }

  private int fragmentsOf(int length) {
    return Math.max(1, (length + fragPayload - 1) / fragPayload);
  }

  private boolean fits(int fragments, int bytes) {
    return nextSeq + fragments - sendBase <= options.getMaxUnackedFragments()
        && unackedBytes + bytes <= options.getMaxUnackedBytes();
  }

  // ---------------------------------------------------------------- writing

  /** True when {@link #writeFrames} has something to write at {@code nowNanos}. */
  public boolean hasDataToWrite(long nowNanos) {
    return (forgetPending && nowNanos >= forgetDueAt) || peekLost() >= 0 || nextNewSeq < nextSeq;
  }

  /**
   * Fills the packet being built: a due FORGET, then retransmissions (oldest loss first), then new
   * fragments in seq order, as many as fit. Stops at the first fragment that does not fit, so order
   * is kept; the caller sends the packet and calls again with a fresh sink while
   * {@link #hasDataToWrite} holds.
   *
   * @return true when at least one frame was written
   */
  public boolean writeFrames(FrameSink sink, long nowNanos) {
    boolean wrote = false;
    if (forgetPending && nowNanos >= forgetDueAt && sink.remaining() >= FrameCodec.FORGET_BYTES) {
      sink.add(new ForgetFrame(forgetBelow));
      forgetDueAt = nowNanos + rtt.rtoNanos();
      wrote = true;
    }
    int slot;
    while ((slot = peekLost()) >= 0) {
      if (!transmit(sink, slot, nowNanos)) {
        return wrote;
      }
      lostHead = (lostHead + 1) % lostQueue.length;
      lostSize--;
      retransmissions++;
      listener.retransmitted();
      wrote = true;
    }
    while (nextNewSeq < nextSeq) {
      if (!transmit(sink, (int) nextNewSeq & mask, nowNanos)) {
        break;
      }
      nextNewSeq++;
      wrote = true;
    }
    return wrote;
  }

  private boolean transmit(FrameSink sink, int slot, long nowNanos) {
    OutMessage m = slotMsg[slot];
    long seq = slotSeq[slot];
    int index = (int) (seq - m.firstSeq);
    int off = index * fragPayload;
    int len = Math.min(fragPayload, m.bytes.length - off);
    if (FrameCodec.MSG_HEADER_BYTES + len > sink.remaining()) {
      return false;
    }
    sink.addMsg(seq, index, m.fragCount, m.bytes, off, len);
    slotState[slot] = IN_FLIGHT;
    slotSentAt[slot] = nowNanos;
    slotTxNo[slot] = nextTxNo++;
    slotTxCount[slot]++;
    linkTail(slot);
    transmissions++;
    return true;
  }

  // ---------------------------------------------------------------- acks

  /**
   * Applies an ACK: frees acked fragments, samples the RTT, declares fragments lost by the packet
   * threshold, reports messages whose every fragment is acked, and stops FORGET once passed.
   *
   * @throws DeliveryProtocolException when the ACK covers a seq never sent (nothing is applied then)
   */
  public void onAck(AckFrame ack, long nowNanos) {
    long cum = SeqNumbers.expand(ack.cumulative(), sendBase);
    List<SeqRange> ranges = ack.ranges();
    long top = cum;
    for (int i = 0; i < ranges.size(); i++) {
      top = Math.max(top, SeqNumbers.expand(ranges.get(i).end(), cum));
    }
    if (top > nextNewSeq) {
      throw new DeliveryProtocolException("ACK up to seq " + (top - 1) + " but only seqs below " + nextNewSeq
          + " were sent");
    }
    long sampleSentAt = -1;
    long sampleTxNo = -1;
    for (long s = sendBase; s < cum; s++) {
      long sent = ackSeq((int) s & mask);
      if (sent >= 0 && slotTxNo[(int) s & mask] > sampleTxNo) {
        sampleTxNo = slotTxNo[(int) s & mask];
        sampleSentAt = sent;
      }
    }
    for (int i = 0; i < ranges.size(); i++) {
      long start = Math.max(sendBase, SeqNumbers.expand(ranges.get(i).start(), cum));
      long end = SeqNumbers.expand(ranges.get(i).end(), cum);
      for (long s = start; s < end; s++) {
        long sent = ackSeq((int) s & mask);
        if (sent >= 0 && slotTxNo[(int) s & mask] > sampleTxNo) {
          sampleTxNo = slotTxNo[(int) s & mask];
          sampleSentAt = sent;
        }
      }
    }
    if (sampleSentAt >= 0) {
      rtt.onSample(nowNanos - sampleSentAt, ack.delayMicros() * NANOS_PER_MICRO);
      listener.rttSampled(nowNanos - sampleSentAt);
    }
    detectLossByThreshold(nowNanos);
    if (forgetPending && cum >= forgetBelow) {
      forgetPending = false;
      forgetDueAt = Long.MAX_VALUE;
    }
    advanceBase();
    fireEvents();
  }

  /**
   * Marks one fragment acked. Returns its send time when it is an RTT sample candidate (transmitted
   * once and newly acked), else -1.
   */
  private long ackSeq(int slot) {
    byte state = slotState[slot];
    if (state != IN_FLIGHT && state != LOST) {
      return -1; // already acked, dropped with a failed message, or freed
    }
    if (state == IN_FLIGHT) {
      unlink(slot);
    }
    slotState[slot] = ACKED;
    largestAckedTxNo = Math.max(largestAckedTxNo, slotTxNo[slot]);
    OutMessage m = slotMsg[slot];
    if (++m.acked == m.fragCount && !m.resolved) {
      m.resolved = true;
      unackedBytes -= m.bytes.length;
      addDelivered(m.handle);
    }
    return slotTxCount[slot] == 1 ? slotSentAt[slot] : -1;
  }

  /**
   * Declares lost the in-flight fragments that {@code fastRetransmitThreshold} later transmissions
   * overtook, once they have also been out for the RTT-based loss delay (RFC 8985 RACK / RFC 9002
   * time threshold): ~10 fragments share a packet, so a merely reordered packet overtakes its
   * predecessor by more than 3 fragments, and the time condition keeps that from costing a
   * retransmission. When only the count condition holds, a loss timer is armed instead.
   */
  private void detectLossByThreshold(long nowNanos) {
    long threshold = options.getFastRetransmitThreshold();
    long delay = rtt.lossDelayNanos();
    lossTimerAt = Long.MAX_VALUE;
    while (flightHead != NONE && slotTxNo[flightHead] + threshold <= largestAckedTxNo) {
      if (nowNanos - slotSentAt[flightHead] < delay) {
        lossTimerAt = slotSentAt[flightHead] + delay;
        return;
      }
      markLost(flightHead);
      lostByThreshold++;
    }
  }

  // ---------------------------------------------------------------- timers

  /** Earliest time {@link #onTimer} has work (RTO, expiry, FORGET repeat); Long.MAX_VALUE when idle. */
  public long nextDeadlineNanos() {
    long d = Long.MAX_VALUE;
    if (flightHead != NONE) {
      d = slotSentAt[flightHead] + rtt.rtoNanos();
    }
    OutMessage head = pending.peekFirst();
    if (head != null) {
      d = Math.min(d, head.deadline);
    }
    if (forgetPending) {
      d = Math.min(d, forgetDueAt);
    }
    return Math.min(d, lossTimerAt);
  }

  /**
   * Marks fragments whose RTO passed as lost (and backs the RTO off once), and fails messages older
   * than the delivery deadline.
   */
  public void onTimer(long nowNanos) {
    long rto = rtt.rtoNanos();
    boolean expired = false;
    while (flightHead != NONE && slotSentAt[flightHead] + rto <= nowNanos) {
      markLost(flightHead);
      lostByTimeout++;
      expired = true;
    }
    if (expired) {
      rtt.backOff();
    }
    if (lossTimerAt <= nowNanos) {
      detectLossByThreshold(nowNanos);
    }
    OutMessage m;
    while ((m = pending.peekFirst()) != null && (m.resolved || m.deadline <= nowNanos)) {
      pending.pollFirst();
      if (!m.resolved) {
        fail(m, nowNanos);
      }
    }
    advanceBase();
    fireEvents();
  }

  private void fail(OutMessage m, long nowNanos) {
    m.resolved = true;
    unackedBytes -= m.bytes.length;
    for (int i = 0; i < m.fragCount; i++) {
      int slot = (int) (m.firstSeq + i) & mask;
      byte state = slotState[slot];
      if (state == IN_FLIGHT) {
        unlink(slot);
      }
      if (state != ACKED) {
        slotState[slot] = DROPPED; // a LOST entry in the queue becomes stale and is skipped
      }
    }
    long end = m.firstSeq + m.fragCount;
    nextNewSeq = Math.max(nextNewSeq, end); // never-sent fragments are skipped too (FORGET covers them)
    forgetBelow = Math.max(forgetBelow, end);
    forgetPending = true;
    forgetDueAt = nowNanos;
    listener.failed(m.handle, "not acknowledged within "
        + options.getDeliveryDeadlineNanos() / 1_000_000 + " ms");
  }

  // ---------------------------------------------------------------- bookkeeping

  private void advanceBase() {
    while (sendBase < nextNewSeq) {
      int slot = (int) sendBase & mask;
      byte state = slotState[slot];
      if (state != ACKED && state != DROPPED) {
        break;
      }
      slotState[slot] = FREE;
      slotMsg[slot] = null;
      sendBase++;
    }
    OutMessage m;
    while ((m = pending.peekFirst()) != null && m.resolved) {
      pending.pollFirst();
    }
  }

  private void fireEvents() {
    int n = deliveredCount;
    deliveredCount = 0;
    for (int i = 0; i < n; i++) {
      listener.delivered(deliveredScratch[i]);
    }
    if (refused && fits(refusedFragments, refusedBytes)) {
      refused = false;
      listener.windowOpened();
    }
  }

  private void addDelivered(long handle) {
    if (deliveredCount == deliveredScratch.length) {
      deliveredScratch = java.util.Arrays.copyOf(deliveredScratch, deliveredCount * 2);
    }
    deliveredScratch[deliveredCount++] = handle;
  }

  private void markLost(int slot) {
    unlink(slot);
    slotState[slot] = LOST;
    if (lostSize == lostQueue.length) {
      long[] bigger = new long[lostQueue.length * 2];
      for (int i = 0; i < lostSize; i++) {
        bigger[i] = lostQueue[(lostHead + i) % lostQueue.length];
      }
      lostQueue = bigger;
      lostHead = 0;
    }
    lostQueue[(lostHead + lostSize) % lostQueue.length] = slotSeq[slot];
    lostSize++;
  }

  /** The slot of the oldest fragment still waiting for retransmission, or -1; drops stale entries. */
  private int peekLost() {
    while (lostSize > 0) {
      long seq = lostQueue[lostHead];
      int slot = (int) seq & mask;
      if (seq >= sendBase && slotSeq[slot] == seq && slotState[slot] == LOST) {
        return slot;
      }
      lostHead = (lostHead + 1) % lostQueue.length;
      lostSize--;
    }
    return -1;
  }

  private void linkTail(int slot) {
    prev[slot] = flightTail;
    next[slot] = NONE;
    if (flightTail == NONE) {
      flightHead = slot;
    } else {
      next[flightTail] = slot;
    }
    flightTail = slot;
  }

  private void unlink(int slot) {
    int p = prev[slot];
    int n = next[slot];
    if (p == NONE) {
      flightHead = n;
    } else {
      next[p] = n;
    }
    if (n == NONE) {
      flightTail = p;
    } else {
      prev[n] = p;
    }
  }

  // ---------------------------------------------------------------- observation

  /** Message bytes offered and not yet delivered or failed (bounded by {@code maxUnackedBytes}). */
  public long queuedBytes() {
    return unackedBytes;
  }

  /** Messages offered and not yet resolved, plus resolved ones not yet popped (at most the window). */
  public int pendingMessages() {
    return pending.size();
  }

  /** Fragments between the lowest unacked seq and the next seq to assign. */
  public long unackedFragments() {
    return nextSeq - sendBase;
  }

  /** The round-trip estimator (read-only use). */
  public RttEstimator rtt() {
    return rtt;
  }

  /** Fragment transmissions so far, first sends and retransmissions. */
  public long transmissions() {
    return transmissions;
  }

  /** Fragments declared lost because later ones were acked (fast retransmit). */
  public long lostByThreshold() {
    return lostByThreshold;
  }

  /** Fragments declared lost by the retransmission timeout. */
  public long lostByTimeout() {
    return lostByTimeout;
  }

  /** Fragment retransmissions so far. */
  public long retransmissions() {
    return retransmissions;
  }
}
