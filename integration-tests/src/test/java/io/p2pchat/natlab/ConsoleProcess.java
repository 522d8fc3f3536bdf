package io.p2pchat.natlab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A p2pchat process as its user sees it: lines typed on stdin, lines read from stdout. Every stdout
 * line is kept with the time it arrived, so a scenario can wait for a line (with a deadline, never
 * a sleep), count lines, and print the whole transcript when something goes wrong.
 */
final class ConsoleProcess implements AutoCloseable {

  /** How long a process gets to leave after {@code /quit} before it is killed. */
  static final Duration QUIT_GRACE = Duration.ofSeconds(10);

  /** One stdout line and when it was read ({@link System#nanoTime()}). */
  record Line(String text, long nanos) {}

  private final String name;
  private final Process process;
  private final Writer stdin;
  private final long startNanos;
  private final Path stderrFile;
  private final List<Line> lines = new ArrayList<>();
  private boolean eof;

  private ConsoleProcess(String name, Process process, long startNanos, Path stderrFile) {
    this.name = name;
    this.process = process;
    this.startNanos = startNanos;
    this.stderrFile = stderrFile;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readStdout, "natlab-stdout-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  static ConsoleProcess start(String name, List<String> command, Map<String, String> env, Path stderrFile) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderrFile.toFile());
    pb.environment().putAll(env);
    long start = System.nanoTime();
    try {
      return new ConsoleProcess(name, pb.start(), start, stderrFile);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name + ": " + command + ": " + e, e);
    }
  }

  String name() {
    return name;
  }

  long startNanos() {
    return startNanos;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Types one line on the console. */
  void type(String line) {
    try {
      stdin.write(line);
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new AssertionError(name + " no longer reads its console (" + e + ")\n" + transcript(), e);
    }
  }

  /** Waits for the first line (from the beginning of the output) matching the pattern. */
  Matched await(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int from = 0;
    synchronized (lines) {
      while (true) {
        for (; from < lines.size(); from++) {
          Matcher m = pattern.matcher(lines.get(from).text());
          if (m.matches()) {
            return new Matched(m, lines.get(from));
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (eof && from == lines.size())) {
          throw new AssertionError(name + ": no line matching /" + pattern + "/ within " + timeout
              + (eof ? " (its stdout closed; process " + exitText() + ")" : "") + "\n" + transcript());
        }
        waitFor(left);
      }
    }
  }

  /** Waits until at least {@code count} lines match; returns them in order. */
  List<Matched> awaitCount(Pattern pattern, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        List<Matched> found = matching(pattern);
        if (found.size() >= count) {
          return found;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || eof) {
          throw new AssertionError(name + ": " + found.size() + " of " + count + " lines matching /" + pattern
              + "/ within " + timeout + "\n" + transcript());
        }
        waitFor(left);
      }
    }
  }

  /** Every line seen so far that matches. */
  List<Matched> matching(Pattern pattern) {
    synchronized (lines) {
      List<Matched> found = new ArrayList<>();
      for (Line l : lines) {
        Matcher m = pattern.matcher(l.text());
        if (m.matches()) {
          found.add(new Matched(m, l));
        }
      }
      return found;
    }
  }

  /** A matched line with its groups. */
  record Matched(Matcher matcher, Line line) {
    String group(int i) {
      return matcher.group(i);
    }
  }

  /** The output so far and the tail of stderr, for failure messages. */
  String transcript() {
    StringBuilder sb = new StringBuilder("---- ").append(name).append(" stdout ----\n");
    synchronized (lines) {
      for (Line l : lines) {
        sb.append(String.format("%7.3f s  %s%n", (l.nanos() - startNanos) / 1e9, l.text()));
      }
    }
    sb.append("---- ").append(name).append(" stderr: ").append(stderrFile).append(" ----\n");
    try {
      List<String> err = java.nio.file.Files.readAllLines(stderrFile, StandardCharsets.UTF_8);
      err.subList(Math.max(0, err.size() - 40), err.size()).forEach(e -> sb.append(e).append('\n'));
    } catch (IOException e) {
      sb.append("(unreadable: ").append(e).append(")\n");
    }
    return sb.toString();
  }

  /** Kills the process at once, as a crash would. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(QUIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Asks the node to quit ({@code /quit}); kills it if it does not leave in time. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        type("/quit");
      } catch (AssertionError ignored) {
        // stdin already closed: the process is on its way out
      }
      try {
        if (!process.waitFor(QUIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  private String exitText() {
    return process.isAlive() ? "still running" : "exited with " + process.exitValue();
  }

  private void waitFor(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(lines, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Line l = new Line(line, System.nanoTime());
        synchronized (lines) {
          lines.add(l);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process went away; eof below wakes the waiters
    } finally {
      synchronized (lines) {
        eof = true;
        lines.notifyAll();
      }
    }
  }
}
