package io.p2pchat.rendezvous.mailbox;

import io.p2pchat.common.ConfigReader;
import io.p2pchat.crypto.MailboxSeal;
import io.vertx.core.json.JsonObject;

/**
 * Bounds and lifetimes of the rendezvous's mailbox store, every default with its reason. The JSON form is
 * the {@code mailbox} object of the rendezvous's configuration (keys as the setters, without "set").
 *
 * <p>What the bounds promise: the envelopes on disk never exceed {@link #getMaxTotalBytes()}, plus about
 * {@value #ROW_OVERHEAD_BYTES} bytes of keys, id, times and index per message (so at most
 * {@code maxTotalBytes + maxTotal * ROW_OVERHEAD_BYTES}, ~1.2 GiB with the defaults, and SQLite's WAL of
 * the last transactions beside it); memory holds one counter pair per recipient and depositor that has
 * messages waiting, and the envelopes of one commit's batch.
 */
public final class MailboxOptions {
  /** The database file inside the rendezvous's data directory. */
  public static final String DEFAULT_FILE = "mailbox.db";
  /** A week: a friend away for a holiday still gets what was said (the default; Session keeps 14 days). */
  public static final int DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
  /** The largest sealed envelope: the format byte and one Noise message of 65535 bytes. */
  public static final int DEFAULT_MAX_ENVELOPE_BYTES = MailboxSeal.MAX_ENVELOPE;
  /** A busy room's week for one person who is away; the README's pick-up figure queues this many. */
  public static final int DEFAULT_MAX_PER_RECIPIENT = 10_000;
  /**
   * 10,000 short lines are 3.5 MB (353-byte envelopes); 32 MiB leaves room for longer messages, and is 512
   * of the largest envelopes.
   */
  public static final int DEFAULT_MAX_BYTES_PER_RECIPIENT = 32 * 1024 * 1024;
  /** As much as one mailbox: one sender may fill one friend's mailbox, not the store. */
  public static final int DEFAULT_MAX_PER_DEPOSITOR = 10_000;
  /** One depositor holds at most 1/32 of {@link #DEFAULT_MAX_TOTAL_BYTES}: a flood from one client leaves room for 31 others. */
  public static final int DEFAULT_MAX_BYTES_PER_DEPOSITOR = 32 * 1024 * 1024;
  /** With {@value #ROW_OVERHEAD_BYTES} bytes of overhead each, 1,000,000 messages add ~150 MB to the bytes below. */
  public static final int DEFAULT_MAX_TOTAL = 1_000_000;
  /** A small server's disk budget for messages waiting: 1 GiB. */
  public static final int DEFAULT_MAX_TOTAL_BYTES = 1024 * 1024 * 1024;
  /** An expiry notice waits for its depositor as long as the message waited for its recipient. */
  public static final int DEFAULT_NOTICE_TTL_SECONDS = DEFAULT_TTL_SECONDS;
  /** Every message a depositor may have waiting may expire while it is away: one notice each. */
  public static final int DEFAULT_MAX_NOTICES_PER_DEPOSITOR = DEFAULT_MAX_PER_DEPOSITOR;
  /**
   * Deposits committed in one transaction at most: one fsync for all of them, and a commit that takes a
   * few milliseconds (1024 short rows) rather than holding the writer for seconds.
   */
  public static final int DEFAULT_MAX_BATCH = 1024;
  /** Per stored message beyond its envelope: two 32-byte keys, the id, two times, the row and index entries. */
  public static final int ROW_OVERHEAD_BYTES = 150;

  private String file = DEFAULT_FILE;
  private int ttlSeconds = DEFAULT_TTL_SECONDS;
  private int maxEnvelopeBytes = DEFAULT_MAX_ENVELOPE_BYTES;
  private int maxPerRecipient = DEFAULT_MAX_PER_RECIPIENT;
  private int maxBytesPerRecipient = DEFAULT_MAX_BYTES_PER_RECIPIENT;
  private int maxPerDepositor = DEFAULT_MAX_PER_DEPOSITOR;
  private int maxBytesPerDepositor = DEFAULT_MAX_BYTES_PER_DEPOSITOR;
  private int maxTotal = DEFAULT_MAX_TOTAL;
  private int maxTotalBytes = DEFAULT_MAX_TOTAL_BYTES;
  private int noticeTtlSeconds = DEFAULT_NOTICE_TTL_SECONDS;
  private int maxNoticesPerDepositor = DEFAULT_MAX_NOTICES_PER_DEPOSITOR;
  private int maxBatch = DEFAULT_MAX_BATCH;

  public MailboxOptions() {
  }

  public MailboxOptions(MailboxOptions other) {
    this(other.toJson());
  }

  /** Reads the {@code mailbox} object; a missing key keeps its default, a wrong one throws naming it. */
  public MailboxOptions(JsonObject json) {
    ConfigReader r = new ConfigReader(json);
    setFile(r.string("file", DEFAULT_FILE));
    setTtlSeconds(r.integer("ttlSeconds", DEFAULT_TTL_SECONDS, 1, Integer.MAX_VALUE));
    setMaxEnvelopeBytes(r.integer("maxEnvelopeBytes", DEFAULT_MAX_ENVELOPE_BYTES, 1, MailboxSeal.MAX_ENVELOPE));
    setMaxPerRecipient(r.integer("maxPerRecipient", DEFAULT_MAX_PER_RECIPIENT, 1, Integer.MAX_VALUE));
    setMaxBytesPerRecipient(r.integer("maxBytesPerRecipient", DEFAULT_MAX_BYTES_PER_RECIPIENT, 1, Integer.MAX_VALUE));
    setMaxPerDepositor(r.integer("maxPerDepositor", DEFAULT_MAX_PER_DEPOSITOR, 1, Integer.MAX_VALUE));
    setMaxBytesPerDepositor(r.integer("maxBytesPerDepositor", DEFAULT_MAX_BYTES_PER_DEPOSITOR, 1, Integer.MAX_VALUE));
    setMaxTotal(r.integer("maxTotal", DEFAULT_MAX_TOTAL, 1, Integer.MAX_VALUE));
    setMaxTotalBytes(r.integer("maxTotalBytes", DEFAULT_MAX_TOTAL_BYTES, 1, Integer.MAX_VALUE));
    setNoticeTtlSeconds(r.integer("noticeTtlSeconds", DEFAULT_NOTICE_TTL_SECONDS, 1, Integer.MAX_VALUE));
    setMaxNoticesPerDepositor(r.integer("maxNoticesPerDepositor", DEFAULT_MAX_NOTICES_PER_DEPOSITOR, 1,
        Integer.MAX_VALUE));
    setMaxBatch(r.integer("maxBatch", DEFAULT_MAX_BATCH, 1, Integer.MAX_VALUE));
  }

  public JsonObject toJson() {
    return new JsonObject().put("file", file).put("ttlSeconds", ttlSeconds).put("maxEnvelopeBytes", maxEnvelopeBytes)
        .put("maxPerRecipient", maxPerRecipient).put("maxBytesPerRecipient", maxBytesPerRecipient)
        .put("maxPerDepositor", maxPerDepositor).put("maxBytesPerDepositor", maxBytesPerDepositor)
        .put("maxTotal", maxTotal).put("maxTotalBytes", maxTotalBytes).put("noticeTtlSeconds", noticeTtlSeconds)
        .put("maxNoticesPerDepositor", maxNoticesPerDepositor).put("maxBatch", maxBatch);
  }

  private static int positive(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException("mailbox." + key + " must be at least 1 (got " + value + ")");
    }
    return value;
  }

  public String getFile() {
    return file;
  }

  /** The database's file name in the data directory (a plain name: no directory part). */
  public MailboxOptions setFile(String file) {
    if (file == null || file.isBlank() || file.contains("/") || file.contains("\\")) {
      throw new IllegalArgumentException("mailbox.file must be a file name without a directory (got " + file + ")");
    }
    this.file = file;
    return this;
  }

  public int getTtlSeconds() {
    return ttlSeconds;
  }

  /** How long a message waits for its recipient; applies to what is stored already, at the next expiry run. */
  public MailboxOptions setTtlSeconds(int ttlSeconds) {
    this.ttlSeconds = positive("ttlSeconds", ttlSeconds);
    return this;
  }

  public int getMaxEnvelopeBytes() {
    return maxEnvelopeBytes;
  }

  public MailboxOptions setMaxEnvelopeBytes(int maxEnvelopeBytes) {
    this.maxEnvelopeBytes = positive("maxEnvelopeBytes", maxEnvelopeBytes);
    return this;
  }

  public int getMaxPerRecipient() {
    return maxPerRecipient;
  }

  public MailboxOptions setMaxPerRecipient(int maxPerRecipient) {
    this.maxPerRecipient = positive("maxPerRecipient", maxPerRecipient);
    return this;
  }

  public int getMaxBytesPerRecipient() {
    return maxBytesPerRecipient;
  }

  public MailboxOptions setMaxBytesPerRecipient(int maxBytesPerRecipient) {
    this.maxBytesPerRecipient = positive("maxBytesPerRecipient", maxBytesPerRecipient);
    return this;
  }

  public int getMaxPerDepositor() {
    return maxPerDepositor;
  }

  public MailboxOptions setMaxPerDepositor(int maxPerDepositor) {
    this.maxPerDepositor = positive("maxPerDepositor", maxPerDepositor);
    return this;
  }

  public int getMaxBytesPerDepositor() {
    return maxBytesPerDepositor;
  }

  public MailboxOptions setMaxBytesPerDepositor(int maxBytesPerDepositor) {
    this.maxBytesPerDepositor = positive("maxBytesPerDepositor", maxBytesPerDepositor);
    return this;
  }

  public int getMaxTotal() {
    return maxTotal;
  }

  public MailboxOptions setMaxTotal(int maxTotal) {
    this.maxTotal = positive("maxTotal", maxTotal);
    return this;
  }

  public int getMaxTotalBytes() {
    return maxTotalBytes;
  }

  public MailboxOptions setMaxTotalBytes(int maxTotalBytes) {
    this.maxTotalBytes = positive("maxTotalBytes", maxTotalBytes);
    return this;
  }

  public int getNoticeTtlSeconds() {
    return noticeTtlSeconds;
  }

  public MailboxOptions setNoticeTtlSeconds(int noticeTtlSeconds) {
    this.noticeTtlSeconds = positive("noticeTtlSeconds", noticeTtlSeconds);
    return this;
  }

  public int getMaxNoticesPerDepositor() {
    return maxNoticesPerDepositor;
  }

  /** Past it, a depositor's oldest notices are forgotten first. */
  public MailboxOptions setMaxNoticesPerDepositor(int maxNoticesPerDepositor) {
    this.maxNoticesPerDepositor = positive("maxNoticesPerDepositor", maxNoticesPerDepositor);
    return this;
  }

  public int getMaxBatch() {
    return maxBatch;
  }

  public MailboxOptions setMaxBatch(int maxBatch) {
    this.maxBatch = positive("maxBatch", maxBatch);
    return this;
  }
}
