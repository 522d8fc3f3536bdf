package io.p2pchat.punch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A session's outstanding messages by stream handle: what {@link PeerSession} hands back when the stream says a
 * handle was delivered or failed. Handles are added in increasing order (SendFanOut numbers a message just before a
 * session takes it) and mostly leave in that order too (acknowledgements come in order unless a datagram was lost), so
 * the entries live in a ring of two parallel arrays, oldest first: an add goes at the tail, a removal of the oldest
 * pops the head, and any other removal is found by binary search and left as a hole that the head skips once it
 * gets there. No box and no entry object per message, where a {@code HashMap<Long, …>} made both (48 B of the
 * sender's garbage per message, async-profiler alloc); a removal is O(1) in order and O(log n) out of it.
 *
 * <p>Bounded by what a session holds: holes lie only between the oldest outstanding handle and the newest, and the
 * stream's window is a range from its oldest unacknowledged fragment (SendStream), so they are at most a window
 * and the backlog behind it. Lives on PunchVerticle's event loop only.
 */
final class HandleQueue<T> {

  /** Slots of a new queue: grows by doubling. */
  private static final int INITIAL_CAPACITY = 16;

  private long[] handles = new long[INITIAL_CAPACITY];
  private Object[] values = new Object[INITIAL_CAPACITY];
  /** Index of the oldest slot (a hole or a live entry). */
  private int head;
  /** Slots from head, holes included. */
  private int used;
  /** Live entries. */
  private int size;

  /** Adds {@code value} (not null) under {@code handle}, which must be above every handle added before. */
  void add(long handle, T value) {
    if (value == null) {
      throw new IllegalArgumentException("null value for handle " + handle);
    }
    if (used > 0 && handle <= handles[slot(used - 1)]) {
      throw new IllegalArgumentException("handle " + handle + " is not above " + handles[slot(used - 1)]);
    }
    if (used == handles.length) {
      grow();
    }
    int at = slot(used);
    handles[at] = handle;
    values[at] = value;
    used++;
    size++;
  }

  /** Removes and returns the value of {@code handle}, or null when it is not here. */
  @SuppressWarnings("unchecked")
  T remove(long handle) {
    int i = indexOf(handle);
    if (i < 0) {
      return null;
    }
    int at = slot(i);
    T value = (T) values[at];
    values[at] = null;
    size--;
    // Holes at the head leave with it.
    while (used > 0 && values[head] == null) {
      head = (head + 1) & (handles.length - 1);
      used--;
    }
    return value;
  }

  int size() {
    return size;
  }

  /** Every value, oldest handle first, and empties the queue. */
  @SuppressWarnings("unchecked")
  List<T> drain() {
    List<T> all = new ArrayList<>(size);
    for (int i = 0; i < used; i++) {
      Object v = values[slot(i)];
      if (v != null) {
        all.add((T) v);
      }
    }
    Arrays.fill(values, null);
    head = 0;
    used = 0;
    size = 0;
    return all;
  }

  /** The position (from head) of a live {@code handle}, or -1: the oldest first, then a binary search. */
  private int indexOf(long handle) {
    if (used == 0 || handle < handles[head] || handle > handles[slot(used - 1)]) {
      return -1;
    }
    if (handles[head] == handle) {
      return values[head] != null ? 0 : -1;
    }
    int low = 0;
    int high = used - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      long h = handles[slot(mid)];
      if (h < handle) {
        low = mid + 1;
      } else if (h > handle) {
        high = mid - 1;
      } else {
        return values[slot(mid)] != null ? mid : -1;
      }
    }
    return -1;
  }

  private int slot(int position) {
    return (head + position) & (handles.length - 1);
  }

  /** Doubles the ring, the oldest slot first. */
  private void grow() {
    int n = handles.length;
    long[] moreHandles = new long[n * 2];
    Object[] moreValues = new Object[n * 2];
    for (int i = 0; i < used; i++) {
      moreHandles[i] = handles[slot(i)];
      moreValues[i] = values[slot(i)];
    }
    handles = moreHandles;
    values = moreValues;
    head = 0;
  }
}
