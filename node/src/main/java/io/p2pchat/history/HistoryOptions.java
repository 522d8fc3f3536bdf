package io.p2pchat.history;

/** Settings of a {@link HistoryStore}. Setters validate at once. */
public final class HistoryOptions {

  /** Journal file name inside the node's dataDir. */
  public static final String DEFAULT_FILE_NAME = "history.journal";
  /**
   * Group-commit interval: the writer writes the queued records to the file at most every 5 ms, so
   * a burst of lines costs one write, and a line is in the file (safe from a crash or kill -9 of
   * the process) a few ms after it was typed, well under what a user notices.
   */
  public static final long DEFAULT_COMMIT_INTERVAL_MILLIS = 5;
  /**
   * fsync at most every second while something written is not yet synced (and on {@code flush()}
   * and close): what an OS crash or power cut can take is the last second, as SQLite's WAL with
   * {@code synchronous=NORMAL}, the setting of most chat apps. An fsync per 5 ms commit held a vCPU
   * of this project's VMs for 1-1.7 ms each time (virtio flush): a third of a core per node, and
   * the round trips of both nodes waited for it.
   */
  public static final long DEFAULT_SYNC_INTERVAL_MILLIS = 1_000;
  /** Entries kept in memory per conversation for {@code recent}: 500 is several screens of chat. */
  public static final int DEFAULT_RECENT_PER_CONVERSATION = 500;
  /** Most conversations kept in memory (peers + room); the least recently touched is evicted. */
  public static final int DEFAULT_MAX_CONVERSATIONS = 1024;
  /**
   * Largest journal record: 1 MiB is far above a 64 KiB message (an older journal's JSON escapes
   * it to at most ~400 KiB), and a length field above it marks a torn or corrupt record, so a
   * garbage length never makes us allocate gigabytes.
   */
  public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

  private String fileName = DEFAULT_FILE_NAME;
  private long commitIntervalMillis = DEFAULT_COMMIT_INTERVAL_MILLIS;
  private long syncIntervalMillis = DEFAULT_SYNC_INTERVAL_MILLIS;
  private int recentPerConversation = DEFAULT_RECENT_PER_CONVERSATION;
  private int maxConversations = DEFAULT_MAX_CONVERSATIONS;
  private int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;

  public String getFileName() { return fileName; }
  public HistoryOptions setFileName(String v) {
    if (v == null || v.isBlank() || v.contains("/")) {
      throw new IllegalArgumentException("fileName must be a plain file name: " + v);
    }
    fileName = v;
    return this;
  }
  public long getCommitIntervalMillis() { return commitIntervalMillis; }
  public HistoryOptions setCommitIntervalMillis(long v) {
    if (v < 0 || v > 10_000) {
      throw new IllegalArgumentException("commitIntervalMillis must be in 0..10000: " + v);
    }
    commitIntervalMillis = v;
    return this;
  }
  public long getSyncIntervalMillis() { return syncIntervalMillis; }
  public HistoryOptions setSyncIntervalMillis(long v) {
    if (v < 0 || v > 60_000) {
      throw new IllegalArgumentException("syncIntervalMillis must be in 0..60000: " + v);
    }
    syncIntervalMillis = v;
    return this;
  }
  public int getRecentPerConversation() { return recentPerConversation; }
  public HistoryOptions setRecentPerConversation(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("recentPerConversation must be >= 1: " + v);
    }
    recentPerConversation = v;
    return this;
  }
  public int getMaxConversations() { return maxConversations; }
  public HistoryOptions setMaxConversations(int v) {
    if (v < 1) {
      throw new IllegalArgumentException("maxConversations must be >= 1: " + v);
    }
    maxConversations = v;
    return this;
  }
  public int getMaxRecordBytes() { return maxRecordBytes; }
  public HistoryOptions setMaxRecordBytes(int v) {
    if (v < 64) {
      throw new IllegalArgumentException("maxRecordBytes must be >= 64: " + v);
    }
    maxRecordBytes = v;
    return this;
  }
}
