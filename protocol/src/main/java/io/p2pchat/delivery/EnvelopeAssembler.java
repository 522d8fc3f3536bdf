package io.p2pchat.delivery;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reassembles envelopes that travel in parts ({@code io.p2pchat.wire.MailboxControl}: a deposit at the
 * rendezvous, a {@code mail} at a node), for one peer: parts may come in any order and more than once, and
 * an envelope is handed out once, when its last missing part arrives.
 *
 * <p>Bounded: at most {@code maxIncomplete} envelopes in progress (a new one beyond that evicts the one
 * that progressed least recently), each at most {@code maxParts} parts of at most {@code partBytes} bytes,
 * and one that gets no part for {@code timeoutMillis} is forgotten at the next call. So one peer costs at
 * most {@code maxIncomplete * maxParts * partBytes} bytes. A part that contradicts what came before (another
 * part count, a part number out of range, a second copy that differs) is refused. Not thread-safe; time is
 * passed in.
 *
 * @param <K> what names an envelope (a deposit id, a mailbox sequence number)
 */
public final class EnvelopeAssembler<K> {
  /** What became of a part. */
  public enum Outcome {
    /** Stored; the envelope still misses parts. */
    PARTIAL,
    /** The last missing part: {@link #complete()} holds the envelope. */
    COMPLETE,
    /** A copy of a part already held: nothing changed. */
    DUPLICATE,
    /** Contradicts the parts before it, or out of range: dropped, nothing changed. */
    REFUSED
  }

  /** One envelope in progress. */
  private static final class Partial {
    private final byte[][] parts;
    private int missing;
    private long lastMillis;

    Partial(int count, long nowMillis) {
      parts = new byte[count][];
      missing = count;
      lastMillis = nowMillis;
    }
  }

  private final int maxIncomplete;
  private final int maxParts;
  private final int partBytes;
  private final long timeoutMillis;
  /** In progress, least recently progressed first (access order). */
  private final LinkedHashMap<K, Partial> inProgress = new LinkedHashMap<>(16, 0.75f, true);
  private byte[] complete;
  private long evicted;
  private long timedOut;

  public EnvelopeAssembler(int maxIncomplete, int maxParts, int partBytes, long timeoutMillis) {
    if (maxIncomplete < 1 || maxParts < 1 || partBytes < 1 || timeoutMillis < 1) {
      throw new IllegalArgumentException("every bound must be at least 1");
    }
    this.maxIncomplete = maxIncomplete;
    this.maxParts = maxParts;
    this.partBytes = partBytes;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Takes part {@code part} (1-based) of {@code parts} of envelope {@code key}. Every part but the last must
   * be exactly {@code partBytes} long, the last 1..{@code partBytes}.
   */
  public Outcome accept(K key, int part, int parts, byte[] data, long nowMillis) {
    complete = null;
    forgetStale(nowMillis);
    if (parts < 1 || parts > maxParts || part < 1 || part > parts || data.length < 1 || data.length > partBytes
        || (part < parts && data.length != partBytes)) {
      return Outcome.REFUSED;
    }
    if (parts == 1) {
      inProgress.remove(key);
      complete = data.clone();
      return Outcome.COMPLETE;
    }
    Partial p = inProgress.get(key);
    if (p == null) {
      if (inProgress.size() >= maxIncomplete) {
        Iterator<Map.Entry<K, Partial>> eldest = inProgress.entrySet().iterator();
        eldest.next();
        eldest.remove();
        evicted++;
      }
      p = new Partial(parts, nowMillis);
      inProgress.put(key, p);
    } else if (p.parts.length != parts) {
      return Outcome.REFUSED;
    }
    byte[] held = p.parts[part - 1];
    if (held != null) {
      return Arrays.equals(held, data) ? Outcome.DUPLICATE : Outcome.REFUSED;
    }
    p.parts[part - 1] = data.clone();
    p.lastMillis = nowMillis;
    if (--p.missing > 0) {
      return Outcome.PARTIAL;
    }
    inProgress.remove(key);
    int length = (parts - 1) * partBytes + p.parts[parts - 1].length;
    complete = new byte[length];
    for (int i = 0; i < parts; i++) {
      System.arraycopy(p.parts[i], 0, complete, i * partBytes, p.parts[i].length);
    }
    return Outcome.COMPLETE;
  }

  /** The envelope the last {@link #accept} completed, or null. */
  public byte[] complete() {
    return complete;
  }

  private void forgetStale(long nowMillis) {
    Iterator<Partial> it = inProgress.values().iterator();
    while (it.hasNext()) {
      if (nowMillis - it.next().lastMillis >= timeoutMillis) {
        it.remove();
        timedOut++;
      }
    }
  }

  /** Envelopes in progress now. */
  public int incomplete() {
    return inProgress.size();
  }

  /** Envelopes dropped unfinished to make room for a newer one. */
  public long evicted() {
    return evicted;
  }

  /** Envelopes dropped unfinished after {@code timeoutMillis} without a part. */
  public long timedOut() {
    return timedOut;
  }
}
