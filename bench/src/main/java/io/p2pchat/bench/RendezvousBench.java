package io.p2pchat.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code p2pchat bench rendezvous [--quick] [--registrations N] [--budget-minutes M]}: registrations/s and look-ups/s against 1 instance and
 * a cluster of 3 (child JVMs on 127.0.0.1, Hazelcast TCP-IP on 127.0.0.1 with a cluster name of
 * its own), from 250 loopback source hosts; the RSS of each instance holding every registration;
 * and the time from {@code kill -9} of an instance to two real chat nodes registered with it being
 * registered elsewhere. Prints a table and {@code name=value} lines; ends by itself within
 * {@link #TOTAL_BUDGET_MS} and always kills its children.
 */
public final class RendezvousBench {

  /** The registrations whose memory is measured (--quick: a tenth). */
  static final int REGISTRATIONS = 100_000;
  static final int LOOKUPS = 50_000;
  /**
   * Everything together, JVM starts included. Registration is CPU-bound (an Ed25519 signature by the
   * bench and a verification by the instance each), ~150/s on the shared 2-core machine this was
   * written on: if the budget runs out, each configuration stops registering at its share of it and
   * reports the count it reached.
   */
  static final long TOTAL_BUDGET_MS = 40 * 60_000;
  /** The 1-instance run gets this share of the budget for registering; the cluster (slower) the rest. */
  static final double SINGLE_SHARE = 0.45;
  /** Kept back from the cluster's registering for its look-ups and the failover measurement. */
  static final long FAILOVER_RESERVE_MS = 3 * 60_000;
  /** A failed-over client re-registers within its 9 s down bound; allow for slow JVM starts around it. */
  static final long FAILOVER_TIMEOUT_MS = 60_000;
  static final long NODE_START_TIMEOUT_MS = 60_000;
  /**
   * Config of the measured instances: room for every registration from 250 hosts, rate limits far
   * above the load (they are not what this measures), and a TTL longer than the run, so nothing
   * expires while memory is read.
   */
  static final JsonObject INSTANCE_CONFIG = new JsonObject()
      .put("maxClients", 2 * REGISTRATIONS)
      .put("maxClientsPerHost", REGISTRATIONS)
      .put("requestsPerSecond", 1_000_000).put("requestBurst", 1_000_000)
      .put("requestsPerSecondPerHost", 1_000_000).put("requestBurstPerHost", 1_000_000)
      .put("maxTrackedSources", 2 * REGISTRATIONS)
      .put("ttlSeconds", 1800);

  private final boolean quick;
  private final int registrations;
  private final List<AutoCloseable> children = new CopyOnWriteArrayList<>();
  private final Map<String, String> figures = new LinkedHashMap<>();
  private Path workDir;
  private long deadline;

  private final long budgetMs;

  private RendezvousBench(boolean quick, int registrations, long budgetMs) {
    this.quick = quick;
    this.registrations = registrations;
    this.budgetMs = budgetMs;
  }

  /** Entry from {@link Bench#main}: {@code args} are what follows {@code rendezvous}. */
  static int run(List<String> args) {
    boolean quick = args.contains("--quick");
    int registrations = quick ? REGISTRATIONS / 10 : REGISTRATIONS;
    int at = args.indexOf("--registrations");
    if (at >= 0 && at + 1 < args.size()) {
      registrations = Integer.parseInt(args.get(at + 1));
    }
    int minutes = args.indexOf("--budget-minutes");
    long budgetMs = minutes >= 0 && minutes + 1 < args.size()
        ? TimeUnit.MINUTES.toMillis(Long.parseLong(args.get(minutes + 1))) : TOTAL_BUDGET_MS;
    RendezvousBench bench = new RendezvousBench(quick, registrations, budgetMs);
    Runtime.getRuntime().addShutdownHook(new Thread(bench::closeChildren));
    try {
      bench.run();
      return 0;
    } catch (Exception e) {
      System.err.println("p2pchat bench rendezvous: FAILED: " + e);
      return 1;
    } finally {
      bench.closeChildren();
    }
  }

  private void run() throws Exception {
    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMs);
    workDir = Files.createTempDirectory("p2pchat-bench-rendezvous");
    int lookups = quick ? LOOKUPS / 10 : LOOKUPS;
    System.out.printf("p2pchat bench rendezvous%s: %,d registrations, %,d look-ups, 1 and 3 instances (work dir %s)%n",
        quick ? " --quick" : "", registrations, lookups, workDir);
    List<String[]> rows = new ArrayList<>();
    for (int n : new int[] {1, 3}) {
      rows.add(measure(n, registrations, lookups));
    }
    System.out.printf("%n%-10s %11s %16s %14s %14s %s%n", "instances", "registered", "registrations/s", "look-ups/s", "failed/lost",
        "RSS per instance (MiB)");
    rows.forEach(r -> System.out.printf("%-10s %11s %16s %14s %14s %s%n", (Object[]) r));
    System.out.println();
    figures.forEach((k, v) -> System.out.println(k + "=" + v));
  }

  private String[] measure(int n, int registrations, int lookups) throws Exception {
    Path clusterXml = n > 1 ? clusterConfig() : null;
    List<RendezvousInstance> instances = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      System.out.printf("* %d instance(s): starting rdv%d...%n", n, i);
      String name = "rdv" + n + "-" + i;
      RendezvousInstance inst = RendezvousInstance.start(name, freeUdpPort(),
          INSTANCE_CONFIG.copy().put("logDir", workDir.resolve("logs").resolve(name).toString()), clusterXml, workDir);
      children.add(inst);
      inst.awaitReady();
      instances.add(inst);
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (RendezvousInstance inst : instances) {
      addresses.add(new InetSocketAddress(InetAddress.getByName(RendezvousInstance.HOST), inst.port));
    }
    System.out.printf("* %d instance(s): registering %,d clients from %d source hosts...%n", n, registrations,
        RegistrationLoad.SOURCE_HOSTS);
    RegistrationLoad load = new RegistrationLoad(addresses, "b" + n + "x");
    long start = System.nanoTime();
    long budget = deadline - start;
    long until = n == 1 ? start + (long) (budget * SINGLE_SHARE)
        : deadline - TimeUnit.MILLISECONDS.toNanos(FAILOVER_RESERVE_MS);
    double regSeconds = load.run(registrations, until);
    long registered = load.registered.get();
    double regRate = registered / regSeconds;
    System.out.printf("* %d instance(s): look-ups (plain 'peer N')...%n", n);
    LookupLoad look = new LookupLoad();
    double lookSeconds = look.run(addresses, lookups, RegistrationLoad.ROOM_SIZE, deadline);
    double lookRate = look.answered.get() / lookSeconds;
    List<String> rss = new ArrayList<>();
    long maxRss = 0;
    for (RendezvousInstance inst : instances) {
      long kib = inst.status().rssKiB();
      maxRss = Math.max(maxRss, kib);
      rss.add(Long.toString(kib / 1024));
    }
    String key = "rendezvous_" + n + "_";
    figures.put(key + "registrations_per_s", String.format("%.0f", regRate));
    figures.put(key + "registration_failures", Long.toString(load.failed.get()));
    figures.put(key + "lookups_per_s", String.format("%.0f", lookRate));
    figures.put(key + "lookups_lost", Long.toString(look.lost.get()));
    figures.put(key + "registered", Long.toString(registered));
    figures.put(key + "rss_max_MiB", Long.toString(maxRss / 1024));
    if (registered >= REGISTRATIONS) {
      figures.put("rendezvous_" + n + "_rss_100k_MiB", Long.toString(maxRss / 1024));
      if (n == 1) {
        figures.put("rendezvous_rss_100k_MiB", Long.toString(maxRss / 1024));
      }
    }
    if (n > 1) {
      figures.put("rendezvous_failover_s", String.format("%.1f", failover(instances)));
    }
    for (RendezvousInstance inst : instances) {
      inst.close();
    }
    return new String[] {Integer.toString(n), String.format("%,d", registered), String.format("%,.0f", regRate), String.format("%,.0f", lookRate),
        load.failed.get() + "/" + look.lost.get(), String.join(" ", rss)};
  }

  /**
   * Two real chat nodes list instance 0 first and 1 next; once both are registered with instance 0,
   * it is killed with -9: the figure is the time until both logged their registration with instance 1.
   */
  private double failover(List<RendezvousInstance> instances) throws Exception {
    String first = RendezvousInstance.HOST + ":" + instances.get(0).port;
    String next = RendezvousInstance.HOST + ":" + instances.get(1).port;
    List<String> nicks = List.of("fo1", "fo2");
    Path logs = workDir.resolve("logs").resolve("nodes");
    for (String nick : nicks) {
      JsonObject config = new JsonObject().put("nick", nick).put("room", "failover")
          .put("rendezvous", new JsonObject().put("servers", new io.vertx.core.json.JsonArray().add(first).add(next)))
          .put("bind", new JsonObject().put("host", "127.0.0.1").put("port", 0))
          .put("dataDir", workDir.resolve("data").resolve(nick).toString())
          .put("logDir", logs.toString());
      children.add(NodeProcess.start(nick, config, List.of("-Xmx96m", "-XX:+UseSerialGC"), workDir));
    }
    System.out.println("* 3 instances: two chat nodes registering with rdv3-0...");
    for (String nick : nicks) {
      awaitLog(logs.resolve(nick + ".log"), "registered with rendezvous " + first, NODE_START_TIMEOUT_MS);
    }
    System.out.println("* 3 instances: kill -9 rdv3-0");
    long killed = System.nanoTime();
    instances.get(0).kill();
    for (String nick : nicks) {
      awaitLog(logs.resolve(nick + ".log"), "registered with rendezvous " + next, FAILOVER_TIMEOUT_MS);
    }
    return (System.nanoTime() - killed) / 1e9;
  }

  private static void awaitLog(Path file, String text, long timeoutMs) throws IOException, InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < until) {
      if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new BenchException("no '" + text + "' in " + file + " within " + timeoutMs + " ms");
  }

  /** Hazelcast membership on 127.0.0.1 with a cluster name of this run's own. */
  private Path clusterConfig() throws IOException {
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\">\n"
        + "  <cluster-name>bench-" + ProcessHandle.current().pid() + "</cluster-name>\n"
        + "  <properties><property name=\"hazelcast.wait.seconds.before.join\">0</property>\n"
        + "    <property name=\"hazelcast.heartbeat.interval.seconds\">1</property>\n"
        + "    <property name=\"hazelcast.max.no.heartbeat.seconds\">8</property>\n"
        + "    <property name=\"hazelcast.phone.home.enabled\">false</property></properties>\n"
        + "  <network><port auto-increment=\"true\" port-count=\"100\">5701</port><join>\n"
        + "    <auto-detection enabled=\"false\"/><multicast enabled=\"false\"/>\n"
        + "    <tcp-ip enabled=\"true\"><member>127.0.0.1</member></tcp-ip></join></network>\n"
        + "  <multimap name=\"__vertx.subs\"><backup-count>1</backup-count>"
        + "<value-collection-type>SET</value-collection-type></multimap>\n"
        + "  <map name=\"__vertx.haInfo\"><backup-count>1</backup-count></map>\n"
        + "  <map name=\"__vertx.nodeInfo\"><backup-count>1</backup-count></map>\n"
        + "  <map name=\"p2pchat.rendezvous.*\"><backup-count>1</backup-count></map>\n"
        + "</hazelcast>\n";
    Path file = workDir.resolve("cluster.xml");
    Files.writeString(file, xml, StandardCharsets.UTF_8);
    return file;
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(RendezvousInstance.HOST), 0))) {
      return s.getLocalPort();
    }
  }

  private void closeChildren() {
    for (AutoCloseable c : children) {
      try {
        if (c instanceof NodeProcess node) {
          node.kill();
        } else {
          c.close();
        }
      } catch (Exception e) {
        // best effort: the process may be gone already
      }
    }
  }
}
