package io.p2pchat.natlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running lab of {@code scripts/natlab/natlab.sh}: a handle to build it, impair it, run
 * commands in its hosts and tear it down. Every lab gets an id unique to this JVM and run, and
 * records this JVM's pid as its owner, so a later {@code natlab.sh cleanup} removes it if we die.
 */
final class NatLab implements AutoCloseable {

  /** Script commands are quick (a few hundred {@code ip} calls at most); more means something hangs. */
  static final long SCRIPT_TIMEOUT_SECONDS = 120;

  private static final AtomicInteger LABS = new AtomicInteger();

  private final Path script;
  private final String id;
  private boolean up;

  private NatLab(Path script, String id) {
    this.script = script;
    this.id = id;
  }

  /** Builds a lab of the given topology ({@code home}, {@code lan}, {@code sym}, {@code full}, {@code six}, {@code v6}, {@code dual}). */
  static NatLab up(String topology) {
    long pid = ProcessHandle.current().pid();
    // namespace names are <id>-<host>; natlab.sh allows ids of at most 10 characters
    String id = "p2l" + Long.toString(pid % 1_000_000, 36) + Integer.toString(LABS.incrementAndGet(), 36);
    NatLab lab = new NatLab(LabConfig.script(), id);
    lab.run("up", topology);
    lab.up = true;
    return lab;
  }

  /** Removes labs left by earlier runs whose owner process is gone. */
  static void cleanupLeftovers() {
    new NatLab(LabConfig.script(), "").run("cleanup");
  }

  String id() {
    return id;
  }

  /** The namespace name of a host of this lab. */
  String namespace(String host) {
    return id + "-" + host;
  }

  /** The command line that runs {@code command} inside a host's namespace. */
  List<String> inHost(String host, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
    full.addAll(command);
    return full;
  }

  void loss(double p) {
    run("loss", Double.toString(p));
  }

  void dup(double p) {
    run("dup", Double.toString(p));
  }

  /**
   * Holds every public UDP packet of one IP family ({@code 4} or {@code 6}) {@code ms} in the core, each way
   * ({@code natlab.sh delay}; 0 removes it): that family's round trip grows by twice {@code ms}.
   */
  void delay(int family, int ms) {
    run("delay", Integer.toString(family), Integer.toString(ms));
  }

  void flush(String router) {
    run("flush", router);
  }

  /** Drops every UDP packet {@code router}'s LAN sends out (TCP passes): an office firewall. */
  void blockUdp(String router) {
    run("block-udp", router);
  }

  /** Lets {@code router}'s LAN send UDP again. */
  void unblockUdp(String router) {
    run("unblock-udp", router);
  }

  /** Renumbers a router's public address; returns the new address. */
  String rebind(String router) {
    List<String> out = run("rebind", router);
    return out.get(out.size() - 1).trim();
  }

  /**
   * Forces a port change on a router: after a flush, its {@code squat} host takes public port
   * {@code insidePort} toward each destination, so the previous owner of that port gets a new one.
   */
  void rebindPort(String router, int insidePort, String... destinations) {
    List<String> args = new ArrayList<>(List.of("rebind-port", router, Integer.toString(insidePort)));
    args.addAll(List.of(destinations));
    run(args.toArray(String[]::new));
  }

  /**
   * Runs the lab's attacker ({@code spoof_udp.py}, python3 standard library) in the core router's
   * namespace, where every public packet passes: it sends under any source address and captures
   * genuine datagrams off the wire. Returns its stdout lines.
   */
  List<String> attacker(String... args) {
    List<String> command = new ArrayList<>(List.of("python3", LabConfig.attackerScript().toString()));
    command.addAll(List.of(args));
    return exec("core", command.toArray(String[]::new));
  }

  /**
   * Sends one datagram per hex payload to {@code destination} ({@code ip:port} or {@code [ipv6]:port}) from an
   * ordinary UDP socket in {@code host}, under that host's own address ({@code spoof_udp.py plain}).
   */
  void sendFrom(String host, String destination, String... payloadsHex) {
    List<String> command = new ArrayList<>(List.of("python3", LabConfig.attackerScript().toString(), "plain", destination));
    command.addAll(List.of(payloadsHex));
    exec(host, command.toArray(String[]::new));
  }

  /** How many packets {@code router}'s IPv6 firewall has dropped as unsolicited inbound (NEW from its public side). */
  long unsolicited6(String router) {
    List<String> out = run("unsolicited6", router);
    return Long.parseLong(out.get(out.size() - 1).trim());
  }

  /** The core's interface toward a router or public host: every packet to and from it crosses this one. */
  static String coreInterface(String host) {
    return "c" + host;
  }

  /** Runs Debian's miniupnpd on {@code router} with NAT-PMP/PCP ({@code natpmp}), UPnP-IGD ({@code upnp}) or both. */
  void upnpd(String router, String mode) {
    run("upnpd", router, mode);
  }

  /** Stops the router's miniupnpd and removes every mapping it left behind. */
  void upnpdStop(String router) {
    run("upnpd-stop", router);
  }

  /** Output of {@code natlab.sh status}: printed when a scenario fails. */
  String status() {
    return String.join("\n", runLenient("status"));
  }

  /** Runs a short command inside a host; returns its stdout lines (fails on a non-zero exit). */
  List<String> exec(String host, String... command) {
    List<String> args = new ArrayList<>(List.of("exec", host));
    args.addAll(List.of(command));
    return run(args.toArray(String[]::new));
  }

  @Override
  public void close() {
    if (up) {
      up = false;
      run("down");
    }
  }

  private List<String> run(String... args) {
    Result r = invoke(args);
    if (r.exit != 0) {
      throw new IllegalStateException("natlab.sh " + String.join(" ", args) + " failed (exit " + r.exit + "):\n"
          + String.join("\n", r.lines));
    }
    return r.lines;
  }

  private List<String> runLenient(String... args) {
    return invoke(args).lines;
  }

  private record Result(int exit, List<String> lines) {}

  private Result invoke(String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (!id.isEmpty()) {
      pb.environment().put("NATLAB_ID", id);
    }
    pb.environment().put("NATLAB_OWNER_PID", Long.toString(ProcessHandle.current().pid()));
    try {
      Path out = Files.createTempFile("natlab-", ".out");
      try {
        Process p = pb.redirectOutput(out.toFile()).start();
        if (!p.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("natlab.sh " + String.join(" ", args) + " did not finish in "
              + SCRIPT_TIMEOUT_SECONDS + " s");
        }
        return new Result(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run natlab.sh: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running natlab.sh", e);
    }
  }
}
