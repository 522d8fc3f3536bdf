package io.p2pchat.natlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the lab runs rendezvous instances as one Hazelcast cluster: a {@code cluster.xml} that lists
 * the public addresses of the instances as TCP-IP members (multicast and auto-detection off, a
 * cluster name unique to the lab so two labs never merge), and the JVM flags {@code bin/lib.sh}
 * gives a clustered JVM.
 */
final class ClusteredRendezvous {

  /**
   * As {@code JAVA_FLAGS} in bin/lib.sh: Hazelcast asks for these on Java 17, logs through slf4j,
   * and joins at once instead of waiting ~5 s for more members.
   */
  static final List<String> HAZELCAST_JVM_FLAGS = List.of(
      "--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "-Dhazelcast.logging.type=slf4j",
      "-Dhazelcast.wait.seconds.before.join=0");

  /** A clustered JVM sits near 200 MB RSS: more heap than the lab's light clients get. */
  static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m");

  private ClusteredRendezvous() {}

  /** Writes a cluster.xml for these member addresses; returns its path. */
  static Path writeConfig(Path dir, String clusterName, List<String> members) {
    StringBuilder xml = new StringBuilder()
        .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\">\n")
        .append("  <cluster-name>").append(clusterName).append("</cluster-name>\n")
        .append("  <properties>\n")
        .append("    <property name=\"hazelcast.wait.seconds.before.join\">0</property>\n")
        .append("    <property name=\"hazelcast.heartbeat.interval.seconds\">1</property>\n")
        .append("    <property name=\"hazelcast.max.no.heartbeat.seconds\">8</property>\n")
        .append("    <property name=\"hazelcast.phone.home.enabled\">false</property>\n")
        .append("  </properties>\n")
        .append("  <network>\n    <port auto-increment=\"true\" port-count=\"10\">5701</port>\n")
        .append("    <join>\n      <auto-detection enabled=\"false\"/>\n      <multicast enabled=\"false\"/>\n")
        .append("      <tcp-ip enabled=\"true\">\n");
    for (String m : members) {
      xml.append("        <member>").append(m).append("</member>\n");
    }
    xml.append("      </tcp-ip>\n    </join>\n  </network>\n")
        .append("  <multimap name=\"__vertx.subs\"><backup-count>1</backup-count>")
        .append("<value-collection-type>SET</value-collection-type></multimap>\n")
        .append("  <map name=\"__vertx.haInfo\"><backup-count>1</backup-count></map>\n")
        .append("  <map name=\"__vertx.nodeInfo\"><backup-count>1</backup-count></map>\n")
        .append("  <map name=\"p2pchat.rendezvous.*\"><backup-count>1</backup-count></map>\n")
        .append("</hazelcast>\n");
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("cluster.xml");
      Files.writeString(file, xml, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The command line of one clustered instance whose cluster address is {@code publicAddress}. */
  static List<String> command(Path clusterXml, String publicAddress) {
    List<String> cmd = new ArrayList<>();
    cmd.add(LabConfig.java().toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(HAZELCAST_JVM_FLAGS);
    cmd.add("-Dvertx.hazelcast.config=" + clusterXml);
    cmd.addAll(List.of("-jar", LabConfig.jar().toString(), "run", NatLabScenario.RENDEZVOUS_CLASS,
        "-cluster", "-cluster-host", publicAddress));
    return cmd;
  }
}
