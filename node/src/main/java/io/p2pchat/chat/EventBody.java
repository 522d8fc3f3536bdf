package io.p2pchat.chat;

import io.vertx.core.json.JsonObject;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The body of a per-message event ({@code chat.sent}, {@code chat.delivered}, {@code chat.received}): a
 * {@link JsonObject} like any other to whoever gets it, whose copies share its fields until one of them is changed.
 *
 * <p>Why: Vert.x hands each local consumer of a {@code JsonObject} body its own copy (the codec's {@code transform}
 * is {@link JsonObject#copy()}), and the copy of a batch ({@code <address>.batch}) copies every body in it. Over a
 * {@code LinkedHashMap} a copy is a map, its table and an entry per field, each field's key hashed again: ~250 B
 * and a few hundred ns per event and consumer, the largest allocation of a node's flood. An event's fields are
 * a handful of immutable values ({@code String}, {@code Long}) fixed when the node builds it and never changed
 * after (MessageEvents), so a copy here is a new view of the same two arrays.
 *
 * <p>A copy is a plain {@code JsonObject} over a view of the shared fields. Whoever changes it ({@code put},
 * {@code remove}, {@code clear}, through {@code getMap()}, an iterator's {@code remove} or an entry's
 * {@code setValue}) gets its own {@code LinkedHashMap} of the fields at that moment, the copy Vert.x would have made:
 * neither the node's body nor another consumer's copy sees the change. Fields keep the order they were given in, as
 * a {@code new JsonObject()}'s do; a consumer's own {@code copy()} of its copy is what Vert.x makes of a map that is
 * not a {@code LinkedHashMap}, a {@code HashMap}: the same fields, perhaps encoded in another order (JSON's objects
 * are unordered; a consumer that minds copies into a {@code LinkedHashMap} or changes its copy first).
 *
 * <p>The node never changes a body once built, and never hands one to an application: the event bus and the batches
 * hand out copies, and {@code ChatClient} reads the in-process batches' bodies into records.
 */
final class EventBody extends JsonObject {

  /**
   * The first {@code size} of {@code keys} with {@code values} (the caller's array, kept: never changed after).
   * {@code keys} is one shared array per event shape, never changed; each value a {@code String}, a boxed number,
   * a {@code Boolean} or null.
   */
  EventBody(String[] keys, Object[] values, int size) {
    super(new Fields(keys, values, size));
  }

  /** A consumer's copy: a plain {@code JsonObject} (what Vert.x's copy is) over a new view of the same fields. */
  @Override
  public JsonObject copy() {
    return new JsonObject(((Fields) getMap()).view());
  }

  /** As {@link #copy()}: every value is immutable, and a cloner is for values Vert.x does not know. */
  @Override
  public JsonObject copy(Function<Object, ?> cloner) {
    return copy();
  }

  /**
   * Equal to a {@code JsonObject} of the same fields ({@code JsonObject}'s own equals wants the same class). Only the
   * node holds an {@code EventBody}; every consumer gets a plain copy, which compares as any other.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof JsonObject other && copy().equals(other instanceof EventBody body ? body.copy() : other);
  }

  @Override
  public int hashCode() {
    return copy().hashCode();
  }

  /**
   * The fields: the shared arrays until the first change, then a map of this view's own. Lives where its
   * {@link EventBody} lives; the shared arrays are only read, so views on several threads are safe.
   */
  private static final class Fields extends AbstractMap<String, Object> {
    private final String[] keys;
    private final Object[] values;
    private final int size;
    /** This view's own fields once one was changed; null until then. */
    private LinkedHashMap<String, Object> own;

    Fields(String[] keys, Object[] values, int size) {
      this.keys = keys;
      this.values = values;
      this.size = size;
    }

    Fields view() {
      return new Fields(keys, values, size);
    }

    /** This view's own map, made at the first change. */
    private Map<String, Object> own() {
      if (own == null) {
        LinkedHashMap<String, Object> map = new LinkedHashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
          map.put(keys[i], values[i]);
        }
        own = map;
      }
      return own;
    }

    /** The index of {@code key}, or -1. Keys are few (at most five): a scan beats a hash. */
    private int indexOf(Object key) {
      for (int i = 0; i < size; i++) {
        if (keys[i].equals(key)) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public Object get(Object key) {
      if (own != null) {
        return own.get(key);
      }
      int i = indexOf(key);
      return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object key) {
      return own != null ? own.containsKey(key) : indexOf(key) >= 0;
    }

    @Override
    public int size() {
      return own != null ? own.size() : size;
    }

    @Override
    public Object put(String key, Object value) {
      return own().put(key, value);
    }

    @Override
    public Object remove(Object key) {
      return own().remove(key);
    }

    @Override
    public void putAll(Map<? extends String, ?> m) {
      own().putAll(m);
    }

    @Override
    public void clear() {
      own().clear();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      return own != null ? own.entrySet() : new SharedEntries();
    }

    /** The shared fields as entries, in order; a change through them makes the view's own map first. */
    private final class SharedEntries extends AbstractSet<Entry<String, Object>> {
      @Override
      public int size() {
        return Fields.this.size();
      }

      @Override
      public Iterator<Entry<String, Object>> iterator() {
        if (own != null) {
          return own.entrySet().iterator();
        }
        return new Iterator<>() {
          private int next;
          private int last = -1;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Entry<String, Object> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            last = next++;
            return new SharedEntry(last);
          }

          @Override
          public void remove() {
            if (last < 0) {
              throw new IllegalStateException();
            }
            own().remove(keys[last]);
            last = -1;
          }
        };
      }
    }

    /** Field {@code index} of the shared arrays, or of the own map once there is one. */
    private final class SharedEntry implements Entry<String, Object> {
      private final int index;

      SharedEntry(int index) {
        this.index = index;
      }

      @Override
      public String getKey() {
        return keys[index];
      }

      @Override
      public Object getValue() {
        return own != null ? own.get(keys[index]) : values[index];
      }

      @Override
      public Object setValue(Object value) {
        return own().put(keys[index], value);
      }

      @Override
      public boolean equals(Object o) {
        return o instanceof Entry<?, ?> e && getKey().equals(e.getKey()) && Objects.equals(getValue(), e.getValue());
      }

      @Override
      public int hashCode() {
        return getKey().hashCode() ^ Objects.hashCode(getValue());
      }

      @Override
      public String toString() {
        return getKey() + "=" + getValue();
      }
    }
  }
}
