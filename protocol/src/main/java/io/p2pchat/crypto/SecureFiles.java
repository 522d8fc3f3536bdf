package io.p2pchat.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Blocking helpers for owner-only key and trust files (used here and by {@code io.p2pchat.control}).
 * Run them on a worker thread, never on an event loop.
 */
public final class SecureFiles {
  /** rw------- : only the owner may read a file holding private keys or trust decisions. */
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private SecureFiles() {}

  /** Reads a whole file, refusing one larger than {@code maxBytes} before allocating for it. */
  public static byte[] readBounded(Path file, int maxBytes) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] data = in.readNBytes(maxBytes + 1);
      if (data.length > maxBytes) {
        throw new IOException("file larger than " + maxBytes + " bytes");
      }
      return data;
    }
  }

  /** True on file systems with POSIX permissions (Linux, macOS); false e.g. on Windows. */
  static boolean isPosix(Path dir) {
    return Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
  }

  /** Describes group/other permission bits of a file, or null when it is owner-only (or not POSIX). */
  public static String tooOpen(Path file) throws IOException {
    if (!isPosix(file)) {
      return null;
    }
    Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(file));
    perms.retainAll(GROUP_OR_OTHER);
    return perms.isEmpty() ? null : PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  /**
   * Describes the permissions of a file that its group or others may write (they could change a trust
   * decision under us), or null when only the owner may write it (or the file system is not POSIX).
   */
  public static String writableByOthers(Path file) throws IOException {
    if (!isPosix(file)) {
      return null;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    boolean open = perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE);
    return open ? PosixFilePermissions.toString(perms) : null;
  }

  /**
   * What to tell the owner of {@code path} when its group or others may read or enter it though only
   * the owner may write it (a directory an earlier version made 0755, a log file made 0644): kept
   * working, since an operator may have opened it on purpose (a log shipper's group), but said at start,
   * with the fix, because what it holds is private. Null when it is owner-only, missing or not POSIX.
   */
  public static String readableByOthersWarning(Path path) throws IOException {
    if (!Files.exists(path)) {
      return null;
    }
    String open = tooOpen(path);
    return open == null ? null
      : path + " may be read by its group or others (" + open + "): chmod go-rwx " + path + " to keep it private";
  }

  /**
   * A node's or rendezvous's files before its first log line: {@code dataDir} and {@code logDir} owner-only
   * (0700) and {@code logFile} owner-only (0600) when missing; one that others may write refused (the
   * exception names it, its permissions and the fix). Returns what to warn of, in that order: each of the
   * three that others may read ({@link #readableByOthersWarning}), empty when all are private.
   */
  public static List<String> prepareOwnerOnly(Path dataDir, Path logDir, Path logFile) throws IOException {
    ownerOnlyDirectory(dataDir);
    ownerOnlyDirectory(logDir);
    ownerOnlyFile(logFile);
    List<String> warnings = new ArrayList<>();
    for (Path path : List.of(dataDir, logDir, logFile)) {
      String warning = readableByOthersWarning(path.toAbsolutePath());
      if (warning != null) {
        warnings.add(warning);
      }
    }
    return warnings;
  }

  /** rwx------ : a node's data and log directories. */
  static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

  /**
   * Creates {@code dir} owner-only (0700) when it is missing (its missing parents as the umask says),
   * and refuses one that its group or others may write: they could swap the node's key, its trust
   * decisions or its history under it.
   *
   * @throws IOException naming the directory, its permissions and the fix
   */
  public static void ownerOnlyDirectory(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (!Files.isDirectory(absolute)) {
      Files.createDirectories(absolute.getParent());
      createOwnerOnly(absolute, OWNER_ONLY_DIRECTORY, Files::createDirectory);
    }
    refuseWritableByOthers(absolute);
  }

  /**
   * Creates {@code file} empty and owner-only (0600) when it is missing, and refuses one that its
   * group or others may write. For files another library writes later (a log file): it keeps the
   * permissions of the file it appends to.
   */
  public static void ownerOnlyFile(Path file) throws IOException {
    Path absolute = file.toAbsolutePath();
    createOwnerOnly(absolute, OWNER_ONLY, Files::createFile);
    refuseWritableByOthers(absolute);
  }

  /** How a file or directory is created, with attributes. */
  @FunctionalInterface
  private interface Creator {
    void create(Path path, FileAttribute<?>... attrs) throws IOException;
  }

  /**
   * Creates {@code path} with {@code permissions} where the file system has POSIX permissions; one
   * that exists already (made earlier, or meanwhile by another node of this process) is left as it
   * is for the caller to check.
   */
  private static void createOwnerOnly(Path path, Set<PosixFilePermission> permissions, Creator creator)
      throws IOException {
    try {
      if (isPosix(path.getParent())) {
        creator.create(path, PosixFilePermissions.asFileAttribute(permissions));
      } else {
        creator.create(path);
      }
    } catch (FileAlreadyExistsException e) {
      // Checked by the caller like any existing one.
    }
  }

  /** Opens {@code file} to read and write, creating it owner-only; refuses one others may write. */
  public static FileChannel openOwnerOnly(Path file) throws IOException {
    ownerOnlyFile(file);
    return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** Throws when the group or others may write {@code path}, saying how to fix it. */
  public static void refuseWritableByOthers(Path path) throws IOException {
    String open = writableByOthers(path);
    if (open != null) {
      throw new IOException(path + " may be written by its group or others (" + open + "): chmod go-w " + path);
    }
  }

  /**
   * Writes {@code content} to a temp file created owner-only in the target's directory, syncs it, then
   * publishes it atomically: with {@code replace} by an atomic rename over the target, without it by a
   * hard link that fails if the target already exists (so two processes racing to create an identity
   * never overwrite each other's). Returns false when {@code replace} is false and the target existed.
   */
  public static boolean writeOwnerOnly(Path target, byte[] content, boolean replace) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    boolean posix = isPosix(dir);
    FileAttribute<?>[] attrs = posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
    Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attrs);
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (replace) {
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return true;
      }
      try {
        Files.createLink(target, temp);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | IOException e) {
        if (Files.exists(target)) {
          return false;
        }
        Files.move(temp, target); // no hard links here: a plain move without REPLACE_EXISTING
        return true;
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
