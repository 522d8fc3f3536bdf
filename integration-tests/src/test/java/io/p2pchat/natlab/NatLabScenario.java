package io.p2pchat.natlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What every NAT lab scenario does: build a lab, run the real fat jar in its namespaces (a
 * rendezvous on the public segment, clients behind routers), talk to them through their consoles,
 * and always tear everything down. On failure it prints every node's transcript and the lab's NAT
 * state; on success it prints the measured figures.
 */
abstract class NatLabScenario {

  /** JVM start + registration on a loaded 2-core machine (several JVMs start at once). */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** From both clients running to a confirmed path: punching takes seconds at most, relay fallback more. */
  static final Duration PATH_TIMEOUT = Duration.ofSeconds(60);
  /** One chat message over an established path, retransmissions included. */
  static final Duration MESSAGE_TIMEOUT = Duration.ofSeconds(30);

  static final int RENDEZVOUS_PORT = 7000;
  static final int CLIENT_PORT = 4000;
  static final String RDV_ADDR = "203.0.113.10";

  static final String RENDEZVOUS_CLASS = "io.p2pchat.rendezvous.RendezvousVerticle";
  static final String CLIENT_CLASS = "io.p2pchat.node.ChatNodeVerticle";
  /** Light JVMs: up to seven run at once on two cores. */
  static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx192m");

  protected NatLab lab;
  protected Path runDir;
  private final List<ConsoleProcess> processes = new ArrayList<>();
  /** Each process's name in the run directory ({@link #fileName}). */
  private final java.util.Map<ConsoleProcess, String> files = new java.util.HashMap<>();
  private String scenario = "?";

  @RegisterExtension
  final AfterTestExecutionCallback dumpOnFailure = this::dumpIfFailed;

  @BeforeAll
  static void prerequisites() {
    String why = LabConfig.missingPrerequisite();
    if (why != null) {
      fail("NAT lab cannot run: " + why);
    }
    NatLab.cleanupLeftovers();
  }

  /** Builds the lab for one scenario. */
  protected void up(String topology, TestInfo info) {
    scenario = info.getTestClass().map(Class::getSimpleName).orElse("?") + "." + info.getDisplayName();
    lab = NatLab.up(topology);
    runDir = LabConfig.workDir().resolve(lab.id());
    try {
      Files.createDirectories(runDir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    System.out.println("NATLAB " + scenario + ": lab " + lab.id() + " (" + topology + ") up, files in " + runDir);
  }

  @AfterEach
  void tearDown() {
    List<ConsoleProcess> reversed = new ArrayList<>(processes);
    java.util.Collections.reverse(reversed);
    for (ConsoleProcess p : reversed) {
      p.close();
      writeTranscript(p);
    }
    processes.clear();
    files.clear();
    if (lab != null) {
      lab.close();
    }
  }

  /** Starts a rendezvous in a public host and waits until its UDP port is bound. */
  /** The line a rendezvous prints on stdout once its socket is bound. */
  static final Pattern RENDEZVOUS_UP = Pattern.compile("\\* rendezvous listening on UDP .*");

  protected ConsoleProcess rendezvous(String host) {
    return rendezvous(host, Map.of());
  }

  /** A rendezvous whose environment also has {@code overrides} ({@code P2PCHAT_*} variables; each replaces a default). */
  protected ConsoleProcess rendezvous(String host, Map<String, String> overrides) {
    String name = host + "-server";
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "P2PCHAT_HOST", "0.0.0.0",
        "P2PCHAT_PORT", Integer.toString(RENDEZVOUS_PORT),
        "P2PCHAT_LOG_DIR", dir("logs", name).toString(),
        LabConfig.LAN_RANGES_ENV, LabConfig.LAN_RANGES));
    env.putAll(overrides);
    ConsoleProcess p = start(host, name, RENDEZVOUS_CLASS, env);
    p.await(RENDEZVOUS_UP, START_TIMEOUT);
    return p;
  }

  /** Starts a chat client with a console in a client host. */
  protected ConsoleProcess client(String host, String nick) {
    return client(host, nick, Map.of());
  }

  /** A chat client whose environment also has {@code overrides} ({@code P2PCHAT_*} variables; each replaces a default). */
  protected ConsoleProcess client(String host, String nick, Map<String, String> overrides) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "P2PCHAT_NICK", nick,
        "P2PCHAT_RENDEZVOUS_HOST", RDV_ADDR,
        "P2PCHAT_RENDEZVOUS_PORT", Integer.toString(RENDEZVOUS_PORT),
        "P2PCHAT_BIND_PORT", Integer.toString(CLIENT_PORT),
        "P2PCHAT_DATA_DIR", dir("data", nick).toString(),
        "P2PCHAT_LOG_DIR", dir("logs", nick).toString(),
        "P2PCHAT_CONSOLE", "true",
        LabConfig.LAN_RANGES_ENV, LabConfig.LAN_RANGES));
    env.putAll(overrides);
    return start(host, nick, CLIENT_CLASS, env);
  }

  /**
   * Waits until {@code at} shows a path to {@code peer} in {@code state} (a later upgrade counts too:
   * the first confirmed path may be a relay that punching later replaces) and checks its address
   * when {@code address} is not null.
   */
  protected ConsoleProcess.Matched expectPath(ConsoleProcess at, String peer, String state, String address) {
    ConsoleProcess.Matched m = at.await(ConsoleLines.pathIn(peer, Set.of(state)), PATH_TIMEOUT);
    if (address != null) {
      assertEquals(address, ConsoleLines.address(m), at.name() + "'s " + state + " path to " + peer + "\n" + at.transcript());
    }
    return m;
  }

  /**
   * Both directions of {@link #expectPath} for the pair {@code a}, {@code b} ({@code a} must show {@code b} at
   * {@code addressOfB}, {@code b} show {@code a} at {@code addressOfA}; null: any address), each reported from
   * {@code b}'s start (the later client's). Returns what {@code a} and {@code b} showed, in that order.
   */
  protected List<ConsoleProcess.Matched> expectPaths(ConsoleProcess a, ConsoleProcess b, String state,
      String addressOfB, String addressOfA) {
    ConsoleProcess.Matched aSeesB = expectPath(a, b.name(), state, addressOfB);
    ConsoleProcess.Matched bSeesA = expectPath(b, a.name(), state, addressOfA);
    reportPath(a, b.name(), aSeesB, b.startNanos());
    reportPath(b, a.name(), bSeesA, b.startNanos());
    return List.of(aSeesB, bSeesA);
  }

  /** Types a room message on {@code from} and waits until each receiver shows it. */
  protected void say(ConsoleProcess from, String text, ConsoleProcess... receivers) {
    from.type(text);
    for (ConsoleProcess r : receivers) {
      r.await(ConsoleLines.roomMessage(from.name(), text), MESSAGE_TIMEOUT);
    }
  }

  /** Types {@code count} numbered room messages {@code prefix-000}, {@code prefix-001}, ... then {@code prefix-end}. */
  protected void typeNumbered(ConsoleProcess from, String prefix, int first, int count) {
    for (int i = first; i < first + count; i++) {
      from.type(String.format("%s-%03d", prefix, i));
    }
  }

  /**
   * Both users type {@code count} numbered room messages at once ({@code a}: {@code prefix-000 …}, {@code b}:
   * {@code prefixb-000 …}); each must show the other's exactly once and in order.
   */
  protected void chatBothWays(ConsoleProcess a, ConsoleProcess b, String prefix, int count) {
    typeNumbered(a, prefix, 0, count);
    typeNumbered(b, prefix + "b", 0, count);
    expectExactlyOnceInOrder(a, b, prefix, count, MESSAGE_TIMEOUT);
    expectExactlyOnceInOrder(b, a, prefix + "b", count, MESSAGE_TIMEOUT);
  }

  /**
   * Waits until {@code at} shows the room messages {@code prefix-000 .. prefix-(count-1)} from
   * {@code from}, then a sentinel typed after them, and checks that each was shown exactly once
   * and in order (a duplicate or a reordering shows up before the sentinel, which comes last).
   */
  protected void expectExactlyOnceInOrder(ConsoleProcess from, ConsoleProcess at, String prefix, int count,
      Duration timeout) {
    java.util.regex.Pattern numbered = ConsoleLines.roomMessageMatching(from.name(),
        java.util.regex.Pattern.quote(prefix) + "-(\\d{3})");
    at.awaitCount(numbered, count, timeout);
    String sentinel = prefix + "-end";
    from.type(sentinel);
    at.await(ConsoleLines.roomMessage(from.name(), sentinel), MESSAGE_TIMEOUT);
    List<Integer> seen = at.matching(numbered).stream().map(m -> Integer.parseInt(m.group(1))).toList();
    List<Integer> expected = java.util.stream.IntStream.range(0, count).boxed().toList();
    assertEquals(expected, seen, at.name() + " must show each of " + from.name() + "'s " + count
        + " messages exactly once, in order");
  }

  /**
   * Types {@code /stats} on {@code at} and returns its drop counters as the user sees them:
   * {@code total} and one entry per reason ({@code unauthenticated}, {@code replayed}, ...).
   */
  protected Map<String, Long> dropCounters(ConsoleProcess at) {
    int seen = at.matching(ConsoleLines.STATS).size();
    at.type("/stats");
    List<ConsoleProcess.Matched> answers = at.awaitCount(ConsoleLines.STATS, seen + 1, MESSAGE_TIMEOUT);
    ConsoleProcess.Matched answer = answers.get(seen);
    Map<String, Long> counters = new java.util.TreeMap<>();
    counters.put("total", Long.parseLong(answer.group(1)));
    for (String pair : answer.group(2).trim().split("\\s+")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        counters.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
      }
    }
    return counters;
  }

  /**
   * Prints the scenario's figures: which confirmed path came first and when (from {@code startNanos},
   * normally the later client's start, so JVM start and registration are included), how long the
   * punch took from the {@code connecting} line when one is shown, and when {@code wanted} was reached.
   */
  protected void reportPath(ConsoleProcess at, String peer, ConsoleProcess.Matched wanted, long startNanos) {
    ConsoleProcess.Matched first = at.matching(ConsoleLines.pathIn(peer, ConsoleLines.CONFIRMED)).get(0);
    String punch = at.matching(ConsoleLines.pathIn(peer, Set.of(ConsoleLines.CONNECTING))).stream().findFirst()
        .map(c -> TimeUnit.NANOSECONDS.toMillis(first.line().nanos() - c.line().nanos()) + " ms")
        .orElse("n/a");
    report(String.format("%s -> %s first path %s %s after %d ms from start (%s after connecting); %s %s after %d ms",
        at.name(), peer, ConsoleLines.state(first), ConsoleLines.address(first),
        TimeUnit.NANOSECONDS.toMillis(first.line().nanos() - startNanos), punch,
        ConsoleLines.state(wanted), ConsoleLines.address(wanted),
        TimeUnit.NANOSECONDS.toMillis(wanted.line().nanos() - startNanos)));
  }

  /** Prints one result line and appends it to target/natlab/results.txt (for docs/NATLAB.md). */
  protected void report(String what) {
    String line = "NATLAB RESULT " + scenario + ": " + what;
    System.out.println(line);
    try {
      Files.writeString(LabConfig.workDir().resolve("results.txt"), line + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.out.println("(cannot write results.txt: " + e + ")");
    }
  }

  private ConsoleProcess start(String host, String name, String mainClass, Map<String, String> env) {
    List<String> cmd = new ArrayList<>();
    cmd.add(LabConfig.java().toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(List.of("-jar", LabConfig.jar().toString(), "run", mainClass));
    String file = fileName(name);
    ConsoleProcess p = ConsoleProcess.start(name, lab.inHost(host, cmd), env, runDir.resolve(file + ".stderr"));
    processes.add(p);
    files.put(p, file);
    return p;
  }

  private Path dir(String kind, String name) {
    return ownerOnlyDir(runDir.resolve(kind).resolve(name));
  }

  /**
   * {@code d} made owner-only (0700), as a node makes its own ({@link io.p2pchat.crypto.SecureFiles#ownerOnlyDirectory}):
   * one the umask left 0755 is kept by a node with a WARN line on stderr saying others may read it, which every lab
   * process would print.
   */
  static Path ownerOnlyDir(Path d) {
    try {
      io.p2pchat.crypto.SecureFiles.ownerOnlyDirectory(d);
      return d;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The name of a process's files in the run directory: its name, then {@code name.2}, {@code name.3} for a client
   * started again under the same nick, so each run of it keeps its own stderr and transcript.
   */
  private String fileName(String name) {
    long earlier = processes.stream().filter(q -> q.name().equals(name)).count();
    return earlier == 0 ? name : name + "." + (earlier + 1);
  }

  private void writeTranscript(ConsoleProcess p) {
    try {
      Files.writeString(runDir.resolve(files.get(p) + ".transcript"), p.transcript(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.out.println("(cannot write transcript of " + p.name() + ": " + e + ")");
    }
  }

  private void dumpIfFailed(ExtensionContext ctx) {
    if (ctx.getExecutionException().isEmpty() || lab == null) {
      return;
    }
    System.out.println("NATLAB FAILED " + scenario + ": " + ctx.getExecutionException().get());
    System.out.println(lab.status());
    processes.forEach(p -> System.out.println(p.transcript()));
  }
}
