package io.p2pchat.node;

import io.p2pchat.app.P2pChatLauncher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, test 7 at process level: {@code P2pChatLauncher run ChatNodeVerticle -conf …} with a
 * bad config prints exactly one line to stderr and exits 1, as a user would see it.
 */
@Timeout(60)
class LauncherProcessTest {

  /** A JVM start with Vert.x on a loaded 2-core machine: seconds, bounded generously. */
  private static final long PROCESS_SECONDS = 45;

  private record Outcome(int exit, List<String> stdout, List<String> stderr) {
  }

  private static Outcome launch(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"),
      "-XX:TieredStopAtLevel=1", "-Xshare:auto",
      P2pChatLauncher.class.getName()));
    command.addAll(List.of(args));
    Path out = workDir.resolve("stdout.txt");
    Path err = workDir.resolve("stderr.txt");
    Process p = new ProcessBuilder(command).directory(workDir.toFile())
      .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(PROCESS_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the launcher did not exit within " + PROCESS_SECONDS + " s: " + Files.readString(err));
    }
    return new Outcome(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
      Files.readAllLines(err, StandardCharsets.UTF_8));
  }

  @Test
  void missingConfigFile(@TempDir Path dir) throws Exception {
    Outcome o = launch(dir, "run", ChatNodeVerticle.class.getName(), "-conf", "/nonexistent.json");
    assertEquals(List.of("p2pchat: config file not found: /nonexistent.json"), o.stderr, "stderr " + o);
    assertEquals(1, o.exit, o.toString());
  }

  @Test
  void emptyNick(@TempDir Path dir) throws Exception {
    Outcome o = launch(dir, "run", ChatNodeVerticle.class.getName(), "-conf", "{\"nick\":\"\"}");
    assertEquals(1, o.stderr.size(), "exactly one line on stderr: " + o);
    assertTrue(o.stderr.get(0).startsWith("p2pchat: cannot start"), o.toString());
    assertTrue(o.stderr.get(0).endsWith("config error: nick is required: 1 to 32 letters, digits, '_', '.' or '-'"),
      o.toString());
    assertEquals(1, o.exit, o.toString());
  }
}
