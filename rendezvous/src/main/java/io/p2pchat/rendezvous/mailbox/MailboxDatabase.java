package io.p2pchat.rendezvous.mailbox;

import io.p2pchat.crypto.SecureFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * The mailbox on disk: one SQLite database in WAL mode with {@code synchronous=FULL}, so a transaction is
 * on disk (its WAL frames fsynced) when {@link #insert} returns, and a crash of the process or the machine
 * loses no committed transaction; an uncommitted one leaves nothing behind (SQLite's atomic commit).
 *
 * <pre>
 * message  seq INTEGER PRIMARY KEY AUTOINCREMENT (deposit order; never reused, so an ack cannot hit a later deposit)
 *          recipient BLOB(32), depositor BLOB(32), deposit_id TEXT, deposited_at INTEGER (ms), envelope BLOB
 *          UNIQUE (depositor, deposit_id): a retried deposit is the stored one
 *          INDEX (recipient, seq): a pick-up, oldest first; INDEX (deposited_at): expiry
 * notice   seq INTEGER PRIMARY KEY AUTOINCREMENT, depositor, recipient, deposit_id, deposited_at, expired_at, bytes
 *          INDEX (depositor, seq)
 * </pre>
 *
 * <p>{@code secure_delete} is on: a deleted envelope's bytes are overwritten in the database file, and the
 * WAL is checkpointed and removed when the store closes.
 *
 * <p>BLOCKING, not thread-safe: only the store's one worker thread calls it, one call at a time. The files
 * are owner-only: the database file is created 0600 before SQLite opens it, and SQLite gives its {@code -wal}
 * and {@code -shm} files the database file's permissions; the directory is 0700.
 */
final class MailboxDatabase implements AutoCloseable {
  /** {@code PRAGMA user_version} of this layout; a database of another version is refused, not guessed at. */
  static final int SCHEMA_VERSION = 1;
  private static final String[] SCHEMA = {
      "CREATE TABLE IF NOT EXISTS message (seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient BLOB NOT NULL,"
          + " depositor BLOB NOT NULL, deposit_id TEXT NOT NULL, deposited_at INTEGER NOT NULL,"
          + " envelope BLOB NOT NULL, UNIQUE (depositor, deposit_id))",
      "CREATE INDEX IF NOT EXISTS message_by_recipient ON message (recipient, seq)",
      "CREATE INDEX IF NOT EXISTS message_by_time ON message (deposited_at)",
      "CREATE TABLE IF NOT EXISTS notice (seq INTEGER PRIMARY KEY AUTOINCREMENT, depositor BLOB NOT NULL,"
          + " recipient BLOB NOT NULL, deposit_id TEXT NOT NULL, deposited_at INTEGER NOT NULL,"
          + " expired_at INTEGER NOT NULL, bytes INTEGER NOT NULL)",
      "CREATE INDEX IF NOT EXISTS notice_by_depositor ON notice (depositor, seq)",
      "CREATE INDEX IF NOT EXISTS notice_by_time ON notice (expired_at)"};

  /** Stored messages of one recipient from one depositor: what rebuilds {@link MailboxQuota} on open. */
  record Usage(MailboxKey recipient, MailboxKey depositor, int count, long bytes) {
  }

  /** The outcome of one deposit of a batch: its sequence number, and whether it was stored before. */
  record Inserted(long seq, boolean duplicate) {
  }

  /** A message past its time to live, about to become a notice. */
  private record Expired(long seq, MailboxKey recipient, MailboxKey depositor, String depositId, long depositedAt,
      int bytes) {
  }

  /** A message deleted by an acknowledgement: whose, and its size, to uncount it. */
  record Deleted(MailboxKey depositor, int bytes) {
  }

  private final Connection db;
  private final PreparedStatement insert;
  private final PreparedStatement lastSeq;
  private final PreparedStatement existing;

  private MailboxDatabase(Connection db) throws SQLException {
    this.db = db;
    this.insert = db.prepareStatement("INSERT INTO message (recipient, depositor, deposit_id, deposited_at, envelope)"
        + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (depositor, deposit_id) DO NOTHING");
    this.lastSeq = db.prepareStatement("SELECT last_insert_rowid()");
    this.existing = db.prepareStatement("SELECT seq FROM message WHERE depositor = ? AND deposit_id = ?");
  }

  /** Opens (creating owner-only) {@code dataDir/options.file}. BLOCKING. */
  static MailboxDatabase open(Path dataDir, MailboxOptions options) throws IOException, SQLException {
    SecureFiles.ownerOnlyDirectory(dataDir);
    Path file = dataDir.resolve(options.getFile()).toAbsolutePath();
    SecureFiles.ownerOnlyFile(file);
    String open = SecureFiles.tooOpen(file);
    if (open != null) {
      throw new IOException("mailbox " + file + " is accessible by others (" + open + "); run: chmod 600 " + file);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // FULL in WAL mode: every commit fsyncs the WAL, so an acknowledged deposit survives a power cut too
    // (NORMAL would survive a process crash only).
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    // An acknowledged or expired envelope is overwritten with zeros, not left in a free page: a copy of the
    // disk taken later holds no envelope that was already delivered (there is no forward secrecy otherwise).
    config.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "true");
    Connection db = config.createConnection("jdbc:sqlite:" + file);
    try {
      migrate(db, file);
      db.setAutoCommit(false);
      return new MailboxDatabase(db);
    } catch (SQLException | IOException e) {
      db.close();
      throw e;
    }
  }

  private static void migrate(Connection db, Path file) throws SQLException, IOException {
    try (Statement s = db.createStatement()) {
      int version;
      try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version != 0 && version != SCHEMA_VERSION) {
        throw new IOException("mailbox " + file + " has layout " + version + "; this version reads " + SCHEMA_VERSION);
      }
      for (String ddl : SCHEMA) {
        s.execute(ddl);
      }
      s.execute("PRAGMA user_version = " + SCHEMA_VERSION);
    }
  }

  /** The expiry notices stored, per depositor. */
  Map<MailboxKey, Integer> noticeUsage() throws SQLException {
    Map<MailboxKey, Integer> out = new HashMap<>();
    try (Statement s = db.createStatement();
         ResultSet rs = s.executeQuery("SELECT depositor, count(*) FROM notice GROUP BY depositor")) {
      while (rs.next()) {
        out.put(MailboxKey.of(rs.getBytes(1)), rs.getInt(2));
      }
    }
    db.commit();
    return out;
  }

  /** What is stored, per (recipient, depositor). */
  List<Usage> usage() throws SQLException {
    List<Usage> out = new ArrayList<>();
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT recipient, depositor, count(*), sum(length(envelope)) FROM message GROUP BY recipient, depositor")) {
      while (rs.next()) {
        out.add(new Usage(MailboxKey.of(rs.getBytes(1)), MailboxKey.of(rs.getBytes(2)), rs.getInt(3), rs.getLong(4)));
      }
    }
    db.commit();
    return out;
  }

  /**
   * Stores {@code batch} in one transaction (one fsync), {@code depositedAt[i]} the time of
   * {@code batch.get(i)}: all of them or, when it throws, none.
   */
  List<Inserted> insert(List<Deposit> batch, long[] depositedAt) throws SQLException {
    List<Inserted> out = new ArrayList<>(batch.size());
    try {
      for (int i = 0; i < batch.size(); i++) {
        Deposit d = batch.get(i);
        insert.setBytes(1, d.recipient().raw());
        insert.setBytes(2, d.depositor().raw());
        insert.setString(3, d.depositId());
        insert.setLong(4, depositedAt[i]);
        insert.setBytes(5, d.envelopeUnsafe());
        out.add(insert.executeUpdate() == 1 ? new Inserted(single(lastSeq), false) : new Inserted(existingSeq(d), true));
      }
      db.commit();
      return out;
    } catch (SQLException e) {
      rollback();
      throw e;
    }
  }

  private long existingSeq(Deposit d) throws SQLException {
    Long seq = seqOf(d.depositor(), d.depositId());
    if (seq == null) {
      throw new SQLException("BUG: a conflicting deposit that is not there");
    }
    return seq;
  }

  /** The sequence number of the message {@code depositor} deposited as {@code depositId}, or null. */
  Long seqOf(MailboxKey depositor, String depositId) throws SQLException {
    existing.setBytes(1, depositor.raw());
    existing.setString(2, depositId);
    try (ResultSet rs = existing.executeQuery()) {
      return rs.next() ? rs.getLong(1) : null;
    }
  }

  private static long single(PreparedStatement query) throws SQLException {
    try (ResultSet rs = query.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("BUG: no row");
      }
      return rs.getLong(1);
    }
  }

  /** The oldest {@code limit} messages of {@code recipient} after {@code afterSeq}, in deposit order. */
  List<StoredMessage> pickUp(MailboxKey recipient, long afterSeq, int limit) throws SQLException {
    List<StoredMessage> out = new ArrayList<>();
    try (PreparedStatement q = db.prepareStatement("SELECT seq, depositor, deposit_id, deposited_at, envelope"
        + " FROM message WHERE recipient = ? AND seq > ? ORDER BY seq LIMIT ?")) {
      q.setBytes(1, recipient.raw());
      q.setLong(2, afterSeq);
      q.setInt(3, limit);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredMessage(rs.getLong(1), recipient, MailboxKey.of(rs.getBytes(2)), rs.getString(3),
              rs.getLong(4), rs.getBytes(5)));
        }
      }
    }
    db.commit();
    return out;
  }

  /**
   * The oldest {@code limit} messages of every recipient after {@code afterSeq}, in deposit order: what a
   * clustered instance offers the cluster when it starts ({@code ClusteredMailbox}).
   */
  List<StoredMessage> held(long afterSeq, int limit) throws SQLException {
    List<StoredMessage> out = new ArrayList<>();
    try (PreparedStatement q = db.prepareStatement("SELECT seq, recipient, depositor, deposit_id, deposited_at,"
        + " envelope FROM message WHERE seq > ? ORDER BY seq LIMIT ?")) {
      q.setLong(1, afterSeq);
      q.setInt(2, limit);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new StoredMessage(rs.getLong(1), MailboxKey.of(rs.getBytes(2)), MailboxKey.of(rs.getBytes(3)),
              rs.getString(4), rs.getLong(5), rs.getBytes(6)));
        }
      }
    }
    db.commit();
    return out;
  }

  /** Deletes those of {@code seqs} that are {@code recipient}'s (others' and unknown ones are ignored). */
  List<Deleted> delete(MailboxKey recipient, List<Long> seqs) throws SQLException {
    List<Deleted> out = new ArrayList<>();
    try (PreparedStatement find = db.prepareStatement(
             "SELECT depositor, length(envelope) FROM message WHERE seq = ? AND recipient = ?");
         PreparedStatement delete = db.prepareStatement("DELETE FROM message WHERE seq = ?")) {
      for (long seq : seqs) {
        find.setLong(1, seq);
        find.setBytes(2, recipient.raw());
        try (ResultSet rs = find.executeQuery()) {
          if (!rs.next()) {
            continue;
          }
          out.add(new Deleted(MailboxKey.of(rs.getBytes(1)), rs.getInt(2)));
        }
        delete.setLong(1, seq);
        delete.executeUpdate();
      }
      db.commit();
      return out;
    } catch (SQLException e) {
      rollback();
      throw e;
    }
  }

  /**
   * Moves at most {@code limit} messages deposited at or before {@code cutoffMillis} into notices for their
   * depositors, keeps each depositor's newest {@code maxNotices}, forgets notices that expired at or before
   * {@code noticeCutoffMillis}: one transaction. Returns the notices made.
   */
  List<ExpiryNotice> expire(long cutoffMillis, long nowMillis, long noticeCutoffMillis, int maxNotices, int limit)
      throws SQLException {
    List<ExpiryNotice> made = new ArrayList<>();
    try (PreparedStatement old = db.prepareStatement("SELECT seq, recipient, depositor, deposit_id, deposited_at,"
             + " length(envelope) FROM message WHERE deposited_at <= ? ORDER BY deposited_at, seq LIMIT ?");
         PreparedStatement note = db.prepareStatement("INSERT INTO notice (depositor, recipient, deposit_id,"
             + " deposited_at, expired_at, bytes) VALUES (?, ?, ?, ?, ?, ?)");
         PreparedStatement delete = db.prepareStatement("DELETE FROM message WHERE seq = ?");
         PreparedStatement prune = db.prepareStatement("DELETE FROM notice WHERE depositor = ? AND seq NOT IN"
             + " (SELECT seq FROM notice WHERE depositor = ? ORDER BY seq DESC LIMIT ?)");
         PreparedStatement forget = db.prepareStatement("DELETE FROM notice WHERE expired_at <= ?")) {
      old.setLong(1, cutoffMillis);
      old.setInt(2, limit);
      List<Expired> rows = new ArrayList<>();
      try (ResultSet rs = old.executeQuery()) {
        while (rs.next()) {
          rows.add(new Expired(rs.getLong(1), MailboxKey.of(rs.getBytes(2)), MailboxKey.of(rs.getBytes(3)),
              rs.getString(4), rs.getLong(5), rs.getInt(6)));
        }
      }
      Set<MailboxKey> depositors = new HashSet<>();
      for (Expired r : rows) {
        note.setBytes(1, r.depositor().raw());
        note.setBytes(2, r.recipient().raw());
        note.setString(3, r.depositId());
        note.setLong(4, r.depositedAt());
        note.setLong(5, nowMillis);
        note.setInt(6, r.bytes());
        note.executeUpdate();
        made.add(new ExpiryNotice(single(lastSeq), r.depositor(), r.recipient(), r.depositId(), r.depositedAt(),
            nowMillis, r.bytes()));
        delete.setLong(1, r.seq());
        delete.executeUpdate();
        depositors.add(r.depositor());
      }
      for (MailboxKey depositor : depositors) {
        prune.setBytes(1, depositor.raw());
        prune.setBytes(2, depositor.raw());
        prune.setInt(3, maxNotices);
        prune.executeUpdate();
      }
      forget.setLong(1, noticeCutoffMillis);
      forget.executeUpdate();
      db.commit();
      return made;
    } catch (SQLException e) {
      rollback();
      throw e;
    }
  }

  /** The oldest {@code limit} expiry notices waiting for {@code depositor}. */
  List<ExpiryNotice> notices(MailboxKey depositor, int limit) throws SQLException {
    List<ExpiryNotice> out = new ArrayList<>();
    try (PreparedStatement q = db.prepareStatement("SELECT seq, recipient, deposit_id, deposited_at, expired_at, bytes"
        + " FROM notice WHERE depositor = ? ORDER BY seq LIMIT ?")) {
      q.setBytes(1, depositor.raw());
      q.setInt(2, limit);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new ExpiryNotice(rs.getLong(1), depositor, MailboxKey.of(rs.getBytes(2)), rs.getString(3),
              rs.getLong(4), rs.getLong(5), rs.getInt(6)));
        }
      }
    }
    db.commit();
    return out;
  }

  /** The oldest {@code limit} expiry notices of every depositor after {@code afterSeq}, in order. */
  List<ExpiryNotice> heldNotices(long afterSeq, int limit) throws SQLException {
    List<ExpiryNotice> out = new ArrayList<>();
    try (PreparedStatement q = db.prepareStatement("SELECT seq, depositor, recipient, deposit_id, deposited_at,"
        + " expired_at, bytes FROM notice WHERE seq > ? ORDER BY seq LIMIT ?")) {
      q.setLong(1, afterSeq);
      q.setInt(2, limit);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          out.add(new ExpiryNotice(rs.getLong(1), MailboxKey.of(rs.getBytes(2)), MailboxKey.of(rs.getBytes(3)),
              rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getInt(7)));
        }
      }
    }
    db.commit();
    return out;
  }

  /** Deletes those of {@code seqs} that are notices for {@code depositor}; returns how many. */
  int deleteNotices(MailboxKey depositor, List<Long> seqs) throws SQLException {
    int deleted = 0;
    try (PreparedStatement delete = db.prepareStatement("DELETE FROM notice WHERE seq = ? AND depositor = ?")) {
      for (long seq : seqs) {
        delete.setLong(1, seq);
        delete.setBytes(2, depositor.raw());
        deleted += delete.executeUpdate();
      }
      db.commit();
      return deleted;
    } catch (SQLException e) {
      rollback();
      throw e;
    }
  }

  private void rollback() {
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // The connection is broken: the caller's exception says why; SQLite undoes the transaction on reopen.
    }
  }

  @Override
  public void close() throws SQLException {
    insert.close();
    lastSeq.close();
    existing.close();
    db.close();
  }
}
