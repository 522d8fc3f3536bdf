package io.p2pchat.rendezvous.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One batch of writes to the nick map ({@value ClusteredDirectory#NICKS_MAP}), run by Hazelcast on the
 * members that own the entries: each member receives the batch once and applies it to its own keys, atomically
 * per key. So a batch of N claims, puts and removals costs one invocation per member instead of up to four
 * map round trips per registration. Deterministic (the live instances are fixed when the batch is made), so
 * backups apply the same processor.
 *
 * <p>Per key, exactly one of:
 * <ul>
 *   <li><b>claim</b>: bind the nick to this record when it is free, held by the same key, or held by an
 *       instance that is gone; else answer the record that holds it (the claim is refused);</li>
 *   <li><b>put</b>: write the record (an announcement with its relay id, a refresh of the TTL) unless another
 *       key on a live instance holds the nick meanwhile;</li>
 *   <li><b>remove</b>: delete the entry if it is still exactly this record.</li>
 * </ul>
 * The result for a key is null when the write was made, else the record that holds the nick.
 */
final class NickWrites implements EntryProcessor<String, String, String> {

  private static final long serialVersionUID = 1L;

  enum Kind { CLAIM, PUT, REMOVE }

  /** What to do with one key, and the record to write or remove. */
  record Write(Kind kind, String value) implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
  }

  private final HashMap<String, Write> writes;
  private final Set<String> live;
  private final long ttlMillis;

  NickWrites(Map<String, Write> writes, Set<String> live, long ttlMillis) {
    this.writes = new HashMap<>(writes);
    this.live = Set.copyOf(live);
    this.ttlMillis = ttlMillis;
  }

  @Override
  public String process(Map.Entry<String, String> entry) {
    Write write = writes.get(entry.getKey());
    if (write == null) {
      return null;
    }
    String current = entry.getValue();
    if (write.kind() == Kind.REMOVE) {
      if (write.value().equals(current)) {
        entry.setValue(null);
      }
      return null;
    }
    if (current != null && heldByAnother(current, write.value())) {
      return current;
    }
    ((ExtendedMapEntry<String, String>) entry).setValue(write.value(), ttlMillis, TimeUnit.MILLISECONDS);
    return null;
  }

  /** True when {@code current} binds the nick to another key than {@code wanted}'s, at a live instance. */
  private boolean heldByAnother(String current, String wanted) {
    Member held;
    try {
      held = Member.decode(current);
    } catch (IllegalArgumentException e) {
      return false; // a bad entry holds nothing: overwrite it
    }
    return !held.key().equals(Member.decode(wanted).key()) && live.contains(held.owner());
  }
}
