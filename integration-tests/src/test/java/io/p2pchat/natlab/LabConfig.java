package io.p2pchat.natlab;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the lab finds its pieces. Failsafe passes them as system properties (see the {@code natlab}
 * profile in pom.xml); the defaults fit a run in the integration-tests module (Maven runs tests in the module directory).
 */
final class LabConfig {

  static final String DEFAULT_JAR = "../app/target/p2pchat.jar";
  static final String DEFAULT_SCRIPT = "../scripts/natlab/natlab.sh";
  static final String DEFAULT_WORK_DIR = "target/natlab";

  /**
   * The lab's LANs (docs/NATLAB.md): documentation ranges, not RFC 1918, so the rendezvous and the
   * nodes must be told they are LANs ({@code lanRanges}) or they drop the clients' host candidates.
   */
  static final String LAN_RANGES = "192.0.2.0/24,198.51.100.0/24";
  /** {@link #LAN_RANGES} as the environment override every lab process is started with. */
  static final String LAN_RANGES_ENV = "P2PCHAT_LAN_RANGES";

  private LabConfig() {}

  static Path jar() {
    return Path.of(System.getProperty("natlab.jar", DEFAULT_JAR)).toAbsolutePath();
  }

  static Path script() {
    return Path.of(System.getProperty("natlab.script", DEFAULT_SCRIPT)).toAbsolutePath();
  }

  /** The lab's attacker ({@code scripts/natlab/spoof_udp.py}), next to {@code natlab.sh}. */
  static Path attackerScript() {
    return script().resolveSibling("spoof_udp.py");
  }

  static Path workDir() {
    return Path.of(System.getProperty("natlab.workDir", DEFAULT_WORK_DIR)).toAbsolutePath();
  }

  static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * Why the lab cannot run here, or null when it can. The scenarios fail with this reason: a lab
   * that silently skips proves nothing.
   */
  static String missingPrerequisite() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "the NAT lab needs root (network namespaces, iptables); run scripts/natlab/run.sh as root";
    }
    if (!Files.isRegularFile(jar())) {
      return jar() + " is missing: run `mvn -B package` first";
    }
    if (!Files.isRegularFile(script())) {
      return script() + " is missing";
    }
    return null;
  }
}
