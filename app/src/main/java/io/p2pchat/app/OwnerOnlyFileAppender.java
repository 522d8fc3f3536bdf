package io.p2pchat.app;

import ch.qos.logback.core.FileAppender;
import io.p2pchat.crypto.SecureFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Logback's file appender, creating every log file owner-only (0600) in an owner-only directory (0700)
 * before it first writes to it: a node's log names its peers, their addresses and what it did with
 * them, as its history and keys do. A node prepares its own {@code <logDir>/<nick>.log} so at start-up;
 * this covers every other file the launcher's {@code logback.xml} opens (the default
 * {@code logs/p2pchat.log} of unstamped lines, a file named by a node started elsewhere). A file or
 * directory others may write is refused, as the node refuses it: the appender then writes nothing
 * and logback says why on its status channel.
 */
public class OwnerOnlyFileAppender<E> extends FileAppender<E> {

  @Override
  public void openFile(String fileName) throws IOException {
    Path file = Path.of(fileName).toAbsolutePath();
    SecureFiles.ownerOnlyDirectory(file.getParent());
    SecureFiles.ownerOnlyFile(file);
    super.openFile(fileName);
  }
}
