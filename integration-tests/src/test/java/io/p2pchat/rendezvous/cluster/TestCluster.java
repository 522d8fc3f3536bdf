package io.p2pchat.rendezvous.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** What the cluster tests share: the shipped Hazelcast configuration made private to one test run on loopback. */
final class TestCluster {

  /** Hazelcast asks for these on Java 17 (bin/lib.sh passes the same). */
  static final List<String> JAVA_FLAGS = List.of("--add-modules", "java.se",
    "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private TestCluster() {
  }

  /**
   * conf/cluster.xml for {@code members} members on 127.0.0.1 at TCP ports {@code firstPort} and
   * up, under a cluster name of its own (so parallel runs never join each other).
   */
  static String hazelcastXml(int firstPort, int members) throws IOException {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < members; i++) {
      list.append("<member>127.0.0.1:").append(firstPort + i).append("</member>");
    }
    // Tests run in the integration-tests module; conf/ is at the project root.
    String shipped = Files.readString(Path.of("..", "conf", "cluster.xml"));
    return shipped
      .replace("<cluster-name>p2pchat-rendezvous</cluster-name>", "<cluster-name>test-" + UUID.randomUUID() + "</cluster-name>")
      .replace("<port auto-increment=\"true\" port-count=\"100\">5701</port>",
        "<port auto-increment=\"true\" port-count=\"" + members + "\">" + firstPort + "</port>")
      .replace("<member>127.0.0.1</member>", list);
  }

  /**
   * Below the kernel's ephemeral range (Linux's default starts at 32768): a port handed out by
   * {@code ServerSocket(0)} is in that range, and so are the source ports of every outgoing connection on the
   * machine, the members' own among them. A member restarted on its port then found it taken by someone's
   * connection (CI: "Cannot bind to a given address ... 45451-45453"). No connection is ever given a port here.
   */
  private static final int RANGE_LOW = 20_000;
  private static final int RANGE_HIGH = 32_000;

  /** The first of {@code n} consecutive free TCP ports (Hazelcast's member ports), outside the ephemeral range. */
  static int freeTcpRange(int n) throws IOException {
    java.util.Random random = new java.util.Random();
    while (true) {
      int first = RANGE_LOW + random.nextInt(RANGE_HIGH - RANGE_LOW - n);
      boolean free = true;
      for (int p = first; p < first + n && free; p++) {
        try (ServerSocket s = new ServerSocket(p)) {
          free = true;
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return first;
      }
    }
  }
}
