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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code p2pchat bench rendezvous [--clients N] [--instances 1|3] [--heap 1g] [--threads T] [--lookups L]
 * [--quick] [--budget-minutes M]}: what one rendezvous, and a cluster of 3, costs per registration.
 * Instances are child JVMs on 127.0.0.1 (Hazelcast TCP-IP on 127.0.0.1 with a cluster name of this
 * run's own); {@link SimulatedClients} are up to millions of clients speaking the real sealed control
 * protocol from their own loopback addresses ({@link SourceAddresses}). For each configuration:
 * <ol>
 *   <li>registrations/s, new ones, each with its control handshake and signed register, clients spread
 *       round robin over the instances; the instances' CPU time per registration from /proc (the
 *       generator competes for the same 2 cores, so this is the figure to size a dedicated machine by);
 *   <li>heap after a full GC ({@link HeapAfterGc}) and RSS per registration, against the same figures
 *       taken before any registration;
 *   <li>a keep-alive round over every client (sealed keep-alive, sealed ack; a client whose session is
 *       older than the control channel's re-handshake age handshakes first, as a real one would);
 *   <li>look-ups/s (the plain {@code peer N});
 *   <li>with 3 instances: {@code kill -9} of instance 0, and the time until every client it held is
 *       registered at another instance, and until two real chat nodes (whose figure includes noticing
 *       the loss) logged their registration elsewhere.
 * </ol>
 * Prints a table and {@code name=value} lines; each phase stops at the budget and reports the count it
 * reached; children are always killed.
 */
public final class RendezvousBench {

  /** Default clients per configuration: a run of both configurations ends in a few minutes. */
  static final int DEFAULT_CLIENTS = 20_000;
  static final int QUICK_CLIENTS = 2_000;
  static final int LOOKUPS = 50_000;
  /** Enough concurrent clients to keep the instances busy on 2 cores while others wait for answers. */
  static final int DEFAULT_THREADS = 8;
  /** Everything together, JVM starts included; a million clients needs more: --budget-minutes. */
  static final long TOTAL_BUDGET_MS = 40 * 60_000;
  /** The 1-instance run gets this share of the budget when both run; the cluster (3 JVMs, slower) the rest. */
  static final double SINGLE_SHARE = 0.45;
  /** Kept back from each configuration's registering for its keep-alives, look-ups and failover. */
  static final double REGISTER_SHARE = 0.6;
  /** A failed-over client re-registers within its 9 s down bound; allow for slow JVM starts around it. */
  static final long FAILOVER_TIMEOUT_MS = 60_000;
  static final long NODE_START_TIMEOUT_MS = 60_000;
  /** How often the generator forgets sessions a real client would have replaced: bounds its memory. */
  static final long SWEEP_EVERY_MS = 10_000;
  /** Each worker checks every this many clients that no instance died (out of heap, say): then it stops. */
  static final int STILL_ALIVE_EVERY = 1_000;
  /**
   * Registrations live as long as the run: a keep-alive round over a million clients on 2 shared cores
   * is measured, not required to fit the shipped 30 s TTL (the figure says how far off it is).
   */
  static final int RUN_TTL_SECONDS = 86_400;

  private final Settings settings;
  private final List<AutoCloseable> children = new CopyOnWriteArrayList<>();
  private final Map<String, String> figures = new LinkedHashMap<>();
  private Path workDir;

  /** The command line. */
  record Settings(int clients, List<Integer> instanceCounts, String heap, int threads, int lookups, long budgetMs,
                  boolean quick) {

    static Settings parse(List<String> args) {
      boolean quick = args.contains("--quick");
      int clients = Integer.parseInt(value(args, "--clients", Integer.toString(quick ? QUICK_CLIENTS : DEFAULT_CLIENTS)));
      String n = value(args, "--instances", null);
      List<Integer> counts = n == null ? List.of(1, 3) : List.of(Integer.parseInt(n));
      for (int c : counts) {
        if (c != 1 && c != 3) {
          throw new IllegalArgumentException("--instances must be 1 or 3: " + c);
        }
      }
      return new Settings(clients, counts, value(args, "--heap", RendezvousInstance.DEFAULT_HEAP),
          Integer.parseInt(value(args, "--threads", Integer.toString(DEFAULT_THREADS))),
          Integer.parseInt(value(args, "--lookups", Integer.toString(quick ? LOOKUPS / 10 : LOOKUPS))),
          TimeUnit.MINUTES.toMillis(Long.parseLong(value(args, "--budget-minutes",
              Long.toString(TimeUnit.MILLISECONDS.toMinutes(TOTAL_BUDGET_MS))))), quick);
    }

    private static String value(List<String> args, String name, String otherwise) {
      int at = args.indexOf(name);
      if (at < 0) {
        return otherwise;
      }
      if (at + 1 >= args.size()) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      return args.get(at + 1);
    }
  }

  private RendezvousBench(Settings settings) {
    this.settings = settings;
  }

  /** Entry from {@link Bench#main}: {@code args} are what follows {@code rendezvous}. */
  static int run(List<String> args) {
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("p2pchat bench rendezvous: " + e.getMessage());
      return 2;
    }
    RendezvousBench bench = new RendezvousBench(settings);
    Runtime.getRuntime().addShutdownHook(new Thread(bench::closeChildren));
    try {
      bench.run();
      return 0;
    } catch (Exception e) {
      System.err.println("p2pchat bench rendezvous: FAILED: " + e);
      e.printStackTrace();
      return 1;
    } finally {
      bench.closeChildren();
    }
  }

  private void run() throws Exception {
    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(settings.budgetMs);
    workDir = Files.createTempDirectory("p2pchat-bench-rendezvous");
    System.out.printf("p2pchat bench rendezvous: %,d clients, %,d look-ups, instances %s, -Xmx%s each, %d threads"
        + " (work dir %s; load average %s)%n", settings.clients, settings.lookups, settings.instanceCounts,
        settings.heap, settings.threads, workDir, loadAverage());
    List<String[]> rows = new ArrayList<>();
    for (int k = 0; k < settings.instanceCounts.size(); k++) {
      int n = settings.instanceCounts.get(k);
      long now = System.nanoTime();
      long until = k + 1 == settings.instanceCounts.size() ? end : now + (long) ((end - now) * SINGLE_SHARE);
      rows.add(measure(n, until));
    }
    System.out.printf("%n%-9s %11s %9s %11s %12s %11s %11s %11s %10s %s%n", "instances", "registered", "reg/s",
        "CPU ms/reg", "heap B/reg", "RSS B/reg", "keep-al./s", "look-ups/s", "failover", "failed/lost");
    rows.forEach(r -> System.out.printf("%-9s %11s %9s %11s %12s %11s %11s %11s %10s %s%n", (Object[]) r));
    System.out.println();
    figures.put("load_average_end", loadAverage());
    figures.forEach((k, v) -> System.out.println(k + "=" + v));
  }

  private String[] measure(int n, long until) throws Exception {
    Path clusterXml = n > 1 ? clusterConfig() : null;
    int perInstance = (settings.clients + n - 1) / n;
    JsonObject config = instanceConfig(settings.clients, perInstance);
    List<RendezvousInstance> instances = new ArrayList<>();
    InetSocketAddress[] addresses = new InetSocketAddress[n];
    for (int i = 0; i < n; i++) {
      String name = "rdv" + n + "-" + i;
      System.out.printf("* %d instance(s): starting %s (-Xmx%s)...%n", n, name, settings.heap);
      RendezvousInstance inst = RendezvousInstance.start(name, freeUdpPort(),
          config.copy().put("logDir", workDir.resolve("logs").resolve(name).toString()), clusterXml, workDir,
          settings.heap);
      children.add(inst);
      inst.awaitReady();
      instances.add(inst);
      addresses[i] = new InetSocketAddress(InetAddress.getByName(RendezvousInstance.HOST), inst.port);
    }
    String key = "rendezvous_" + n + "_";
    long[] heapBefore = heaps(instances);
    long[] rssBefore = rss(instances);
    SourceAddresses sources = SourceAddresses.forClients(settings.clients);
    SimulatedClients clients = new SimulatedClients(settings.clients, sources, addresses, "s" + n + "x");
    ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor();
    sweeper.scheduleWithFixedDelay(clients::sweep, SWEEP_EVERY_MS, SWEEP_EVERY_MS, TimeUnit.MILLISECONDS);
    try {
      // 1. registrations
      System.out.printf("* %d instance(s): registering %,d clients from %,d source ips (load average %s)...%n", n,
          settings.clients, sources.hosts(), loadAverage());
      long registerUntil = System.nanoTime() + (long) ((until - System.nanoTime()) * REGISTER_SHARE);
      long cpu0 = cpuMillis(instances);
      long ownCpu0 = HeapSampler.processCpuNanos();
      AtomicLong registered = new AtomicLong();
      double regSeconds = Workers.timed(settings.threads, registerUntil, t -> {
        for (int i = t; i < settings.clients && System.nanoTime() < registerUntil; i += settings.threads) {
          if (i % STILL_ALIVE_EVERY < settings.threads && !instances.stream().allMatch(RendezvousInstance::isAlive)) {
            System.out.printf("* %d instance(s): an instance died (see %s/rdv%d-*.stderr): stop registering%n", n,
                workDir, n);
            return;
          }
          if (clients.register(i, i % n)) {
            registered.incrementAndGet();
          }
        }
      });
      long regCpu = cpuMillis(instances) - cpu0;
      long ownCpu = (HeapSampler.processCpuNanos() - ownCpu0) / 1_000_000;
      double regRate = registered.get() / regSeconds;
      figures.put(key + "registered", Long.toString(registered.get()));
      figures.put(key + "registrations_per_s", String.format("%.0f", regRate));
      figures.put(key + "registration_failures", Long.toString(clients.failures.get()));
      figures.put(key + "server_cpu_ms_per_registration", perEach(regCpu, registered.get()));
      figures.put(key + "generator_cpu_ms_per_registration", perEach(ownCpu, registered.get()));
      figures.put(key + "load_average_after_registering", loadAverage());
      System.out.printf("* %d instance(s): %,d registered in %.1f s: %,.0f/s, server CPU %s ms each (load average %s)%n",
          n, registered.get(), regSeconds, regRate, perEach(regCpu, registered.get()), loadAverage());

      // 2. memory held
      long[] heapAfter = heaps(instances);
      long[] rssAfter = rss(instances);
      long perInst = Math.max(1, registered.get() / n);
      String heapPerReg = perRegistration(heapBefore, heapAfter, perInst);
      String rssPerReg = perRegistration(rssBefore, rssAfter, perInst);
      figures.put(key + "heap_after_gc_MiB", mib(heapAfter));
      figures.put(key + "rss_MiB", mib(rssAfter));
      figures.put(key + "heap_bytes_per_registration", heapPerReg);
      figures.put(key + "rss_bytes_per_registration", rssPerReg);
      figures.put(key + "generator_sessions_held", Integer.toString(clients.sweep()));
      figures.put(key + "generator_heap_after_gc_MiB", mib(new long[] {HeapAfterGc.usedKiB(ProcessHandle.current().pid())}));
      System.out.printf("* %d instance(s): heap after GC %s MiB (%s B per registration), RSS %s MiB (%s B per registration)%n",
          n, mib(heapAfter), heapPerReg, mib(rssAfter), rssPerReg);

      // 3. a keep-alive round over every registered client
      System.out.printf("* %d instance(s): a keep-alive round over %,d clients...%n", n, registered.get());
      long keepUntil = System.nanoTime() + (long) ((until - System.nanoTime()) * (n > 1 ? 0.5 : 0.7));
      long cpu1 = cpuMillis(instances);
      AtomicLong kept = new AtomicLong();
      AtomicLong rehandshakes = new AtomicLong();
      double keepSeconds = Workers.timed(settings.threads, keepUntil, t -> {
        boolean[] rehandshook = new boolean[1];
        for (int i = t; i < settings.clients && System.nanoTime() < keepUntil; i += settings.threads) {
          if (clients.home(i) != SimulatedClients.NOWHERE && clients.keepAlive(i, rehandshook)) {
            kept.incrementAndGet();
          }
          if (rehandshook[0]) {
            rehandshakes.incrementAndGet();
          }
        }
      });
      long keepCpu = cpuMillis(instances) - cpu1;
      double keepRate = kept.get() / keepSeconds;
      figures.put(key + "keepalives", Long.toString(kept.get()));
      figures.put(key + "keepalives_per_s", String.format("%.0f", keepRate));
      figures.put(key + "keepalive_round_s", String.format("%.1f", keepSeconds));
      figures.put(key + "keepalive_rehandshakes", Long.toString(rehandshakes.get()));
      figures.put(key + "server_cpu_ms_per_keepalive", perEach(keepCpu, kept.get()));
      System.out.printf("* %d instance(s): %,d keep-alives in %.1f s: %,.0f/s (%,d needed a new handshake first),"
          + " server CPU %s ms each (load average %s)%n", n, kept.get(), keepSeconds, keepRate, rehandshakes.get(),
          perEach(keepCpu, kept.get()), loadAverage());

      // 4. look-ups
      System.out.printf("* %d instance(s): look-ups (plain 'peer N')...%n", n);
      LookupLoad look = new LookupLoad();
      double lookSeconds = look.run(List.of(addresses), settings.lookups, SimulatedClients.LOBBY_SIZE, until);
      double lookRate = look.answered.get() / lookSeconds;
      figures.put(key + "lookups_per_s", String.format("%.0f", lookRate));
      figures.put(key + "lookups_lost", Long.toString(look.lost.get()));

      // 5. failover
      String failover = "-";
      if (n > 1) {
        failover = failover(instances, clients);
      }
      return new String[] {Integer.toString(n), String.format("%,d", registered.get()), String.format("%,.0f", regRate),
          perEach(regCpu, registered.get()), heapPerReg, rssPerReg, String.format("%,.0f", keepRate),
          String.format("%,.0f", lookRate), failover, clients.failures.get() + "/" + look.lost.get()};
    } finally {
      sweeper.shutdownNow();
      for (RendezvousInstance inst : instances) {
        inst.close();
      }
    }
  }

  /**
   * Room for every client (the rate limiters track each source once, as they would for real clients),
   * rate limits far above the load (they are not what this measures), and {@link #RUN_TTL_SECONDS}.
   */
  static JsonObject instanceConfig(int clients, int perInstance) {
    return new JsonObject()
        .put("maxClients", clients + RegistrationLoad.ROOM_SIZE)
        .put("maxClientsPerHost", clients)
        .put("requestsPerSecond", 1_000_000).put("requestBurst", 1_000_000)
        .put("requestsPerSecondPerHost", 1_000_000).put("requestBurstPerHost", 1_000_000)
        .put("maxTrackedSources", perInstance + LOOKUPS)
        .put("ttlSeconds", RUN_TTL_SECONDS)
        // No TLS listener: not what this measures, and instances on one machine would share its default port.
        .put("tls", new JsonObject().put("port", io.p2pchat.rendezvous.RendezvousOptions.TLS_OFF));
  }

  /**
   * kill -9 of instance 0; its clients re-register at the others (the generator starts at once: a real
   * client first notices, within its 9 s down bound, which the two real chat nodes' figure includes).
   */
  private String failover(List<RendezvousInstance> instances, SimulatedClients clients) throws Exception {
    List<String> nicks = startFailoverNodes(instances);
    List<Integer> orphans = new ArrayList<>();
    for (int i = 0; i < clients.count(); i++) {
      if (clients.home(i) == 0) {
        orphans.add(i);
        clients.lost(i);
      }
    }
    System.out.printf("* 3 instances: kill -9 rdv3-0 (%,d simulated clients and 2 chat nodes registered there;"
        + " load average %s)%n", orphans.size(), loadAverage());
    long killed = System.nanoTime();
    instances.get(0).kill();
    AtomicLong moved = new AtomicLong();
    long resumedBefore = clients.resumptions.get();
    int others = instances.size() - 1;
    long cpu0 = cpuMillis(instances.subList(1, instances.size()));
    double seconds = Workers.timed(settings.threads, killed + TimeUnit.MINUTES.toNanos(30), t -> {
      for (int k = t; k < orphans.size(); k += settings.threads) {
        int i = orphans.get(k);
        if (clients.register(i, 1 + i % others)) {
          moved.incrementAndGet();
        }
      }
    });
    long cpu = cpuMillis(instances.subList(1, instances.size())) - cpu0;
    double nodesSeconds = awaitFailoverNodes(instances, nicks, killed);
    figures.put("rendezvous_failover_clients", Integer.toString(orphans.size()));
    figures.put("rendezvous_failover_reregistered", Long.toString(moved.get()));
    figures.put("rendezvous_failover_resumed", Long.toString(clients.resumptions.get() - resumedBefore));
    figures.put("rendezvous_failover_s", String.format("%.1f", seconds));
    figures.put("rendezvous_failover_reregistrations_per_s", String.format("%.0f", moved.get() / seconds));
    figures.put("rendezvous_failover_server_cpu_ms_per_reregistration", perEach(cpu, moved.get()));
    figures.put("rendezvous_failover_chat_nodes_s", String.format("%.1f", nodesSeconds));
    System.out.printf("* 3 instances: %,d of %,d clients registered elsewhere %.1f s after the kill (%,d of them"
        + " resumed with their ticket: no public-key work in their handshake);"
        + " the 2 chat nodes after %.1f s (load average %s)%n", moved.get(), orphans.size(), seconds,
        clients.resumptions.get() - resumedBefore, nodesSeconds, loadAverage());
    return String.format("%.1f s", seconds);
  }

  /** Two real chat nodes list instance 0 first and 1 next; returns their nicks once both are registered with 0. */
  private List<String> startFailoverNodes(List<RendezvousInstance> instances) throws Exception {
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
    return nicks;
  }

  /** Seconds from {@code killed} until both chat nodes logged their registration with instance 1. */
  private double awaitFailoverNodes(List<RendezvousInstance> instances, List<String> nicks, long killed)
      throws Exception {
    String next = RendezvousInstance.HOST + ":" + instances.get(1).port;
    Path logs = workDir.resolve("logs").resolve("nodes");
    for (String nick : nicks) {
      awaitLog(logs.resolve(nick + ".log"), "registered with rendezvous " + next, FAILOVER_TIMEOUT_MS);
    }
    return (System.nanoTime() - killed) / 1e9;
  }

  private static long[] heaps(List<RendezvousInstance> instances) {
    return instances.stream().mapToLong(i -> HeapAfterGc.usedKiB(i.pid())).toArray();
  }

  private static long[] rss(List<RendezvousInstance> instances) {
    return instances.stream().mapToLong(i -> i.status().rssKiB()).toArray();
  }

  /** CPU time (user + kernel) of the instances so far, ms, from /proc. */
  private static long cpuMillis(List<RendezvousInstance> instances) {
    long sum = 0;
    for (RendezvousInstance i : instances) {
      ProcStatus s = i.status();
      sum += s.userMillis() + s.sysMillis();
    }
    return sum;
  }

  /** Mean growth per instance, bytes per registration held there. */
  private static String perRegistration(long[] beforeKiB, long[] afterKiB, long perInstance) {
    long growth = 0;
    for (int i = 0; i < afterKiB.length; i++) {
      if (beforeKiB[i] < 0 || afterKiB[i] < 0) {
        return "?";
      }
      growth += afterKiB[i] - beforeKiB[i];
    }
    return String.format("%,d", growth * 1024 / afterKiB.length / perInstance);
  }

  private static String perEach(long millis, long count) {
    return count == 0 ? "?" : String.format("%.3f", (double) millis / count);
  }

  private static String mib(long[] kib) {
    StringBuilder b = new StringBuilder();
    for (long k : kib) {
      b.append(b.length() == 0 ? "" : " ").append(k < 0 ? "?" : Long.toString(k / 1024));
    }
    return b.toString();
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
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
