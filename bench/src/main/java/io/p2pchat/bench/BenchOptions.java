package io.p2pchat.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of {@link Bench}. A full run and a {@code --quick} smoke run differ only in
 * their durations and counts; every default is a named constant saying why.
 */
final class BenchOptions {

  /** Message sizes of the issue: a chat line, a paragraph, a pasted file (16 fragments). */
  static final List<Integer> DEFAULT_SIZES = List.of(100, 1024, 16384);
  /**
   * Measured flood: 1M messages, ended earlier by {@link #DEFAULT_SECONDS}: at ~120k msgs/s 200k
   * took 1.6 s, too short a window for a steady figure (one young GC more or less moved it 10 %).
   */
  static final long DEFAULT_MESSAGES = 1_000_000;
  /** Measured flood at most 10 s: long enough for several GC cycles and a steady rate. */
  static final long DEFAULT_SECONDS = 10;
  /**
   * Warm-up: rounds of a 4 s flood (at most 2M messages) and 2 s of round trips until neither
   * node's JIT compiled for more than 2 % of a round, or 60 s. JFR showed C2 still compiling
   * (0.1 to 2.5 s per compilation on these cores, up to half of a node's CPU) after a fixed 20 s
   * flood, and through the round trips, which the flood had not warmed. A node lives for hours:
   * its steady state is what counts.
   */
  static final long DEFAULT_WARMUP_MESSAGES = 2_000_000;
  static final long DEFAULT_WARMUP_MILLIS = 60_000;
  /**
   * Send requests not yet replied to: a few thousand, so the node's back-pressure (replies held
   * while the peer's window of 1024 fragments is full), not the driver, sets the pace.
   */
  static final int DEFAULT_WINDOW = 2_000;
  /**
   * Texts per send request, the batch form of {@code chat.send}: a program that has many messages
   * at once (a bridge, a bot, a replay) sends them like this; 64 short texts fill ~8 datagrams, so
   * one request per few datagrams. {@code --batch 1} measures the one-text form.
   */
  static final int DEFAULT_BATCH = 64;
  /** The node's limit of texts per request. */
  static final int MAX_BATCH = 1_000;
  /** Round trips per second: the moderate fixed rate. */
  static final int DEFAULT_RTT_RATE = 10_000;
  /** Round-trip part: 6 s, the first 1 s not counted (50k samples: p99.9 rests on 50 of them). */
  static final long DEFAULT_RTT_MILLIS = 6_000;
  static final long DEFAULT_RTT_WARMUP_MILLIS = 1_000;
  /** The bound for two nodes on one machine to find each other. */
  static final long DEFAULT_CONNECT_MILLIS = 30_000;
  /**
   * The first direct pair stays idle this long once connected, then both nodes' resident memory is read: what
   * a chat client left open costs. 30 s: past the start-up's JIT bursts, three trims of the native heap
   * (bin/lib.sh) and six rounds of keep-alives.
   */
  static final long DEFAULT_IDLE_MILLIS = 30_000;
  /** Raw UDP baseline: 2M datagrams after 200k of warm-up, a few seconds on loopback. */
  static final long DEFAULT_RAW_DATAGRAMS = 2_000_000;
  static final long DEFAULT_RAW_WARMUP = 200_000;

  /**
   * Sizes measured relayed over TLS: a chat line, the figure. Relayed throughput is bounded by the
   * rendezvous's per-client relay budget, not by the nodes, so one size tells what the path carries.
   */
  static final List<Integer> DEFAULT_TLS_SIZES = List.of(100);
  /** The typed-API run: the 100-byte size, whose CPU per message the events weigh on most. */
  static final List<Integer> DEFAULT_TYPED_SIZES = List.of(100);
  /** The batched-events run: the 100-byte size, likewise. */
  static final List<Integer> DEFAULT_BATCHED_SIZES = List.of(100);
  /** The rendezvous's relay budget per client in the bench: the shipped default, so the figure is what users get. */
  static final int DEFAULT_RELAY_BYTES_PER_SECOND = io.p2pchat.rendezvous.RendezvousOptions.DEFAULT_RELAY_BYTES_PER_SECOND;
  /** The rendezvous refuses a relay budget below one full datagram per second. */
  static final int MIN_RELAY_BYTES_PER_SECOND = 1200;

  /** Smallest message: room for the kind letter, a sequence number and a space (BenchText). */
  static final int MIN_SIZE = 16;

  /** --quick: every part about a second, for a smoke test of the whole path. */
  static final long QUICK_MESSAGES = 20_000;
  static final long QUICK_SECONDS = 2;
  static final long QUICK_WARMUP_MESSAGES = 5_000;
  static final long QUICK_WARMUP_MILLIS = 1_000;
  static final long QUICK_RTT_MILLIS = 1_500;
  static final long QUICK_RTT_WARMUP_MILLIS = 500;
  static final long QUICK_RAW_DATAGRAMS = 200_000;
  static final long QUICK_IDLE_MILLIS = 2_000;
  static final long QUICK_RAW_WARMUP = 50_000;

  boolean quick;
  List<Integer> sizes = DEFAULT_SIZES;
  List<Integer> tlsSizes = DEFAULT_TLS_SIZES;
  /** Sizes measured again with a typed-API application consuming every event in each node ({@code --typed-sizes}). */
  List<Integer> typedSizes = DEFAULT_TYPED_SIZES;
  /** Sizes measured again with the nodes' per-message events off and the drivers on the batched forms. */
  List<Integer> batchedSizes = DEFAULT_BATCHED_SIZES;
  int relayBytesPerSecond = DEFAULT_RELAY_BYTES_PER_SECOND;
  long messages = DEFAULT_MESSAGES;
  long seconds = DEFAULT_SECONDS;
  long warmupMessages = DEFAULT_WARMUP_MESSAGES;
  long warmupMillis = DEFAULT_WARMUP_MILLIS;
  int window = DEFAULT_WINDOW;
  int batch = DEFAULT_BATCH;
  int rttRate = DEFAULT_RTT_RATE;
  long rttMillis = DEFAULT_RTT_MILLIS;
  long rttWarmupMillis = DEFAULT_RTT_WARMUP_MILLIS;
  long connectMillis = DEFAULT_CONNECT_MILLIS;
  /** The idle part of the first direct pair ({@code --idle}); 0: none. */
  long idleMillis = DEFAULT_IDLE_MILLIS;
  long rawDatagrams = DEFAULT_RAW_DATAGRAMS;
  long rawWarmup = DEFAULT_RAW_WARMUP;
  /** Where JFR recordings of both nodes go, or null for none. */
  Path jfrDir;
  /** Keep the work directory (node logs, stderr) after the run. */
  boolean keep;

  static final String USAGE = String.join("\n",
    "usage: p2pchat bench [--quick] [--messages N] [--seconds S] [--warmup S] [--sizes 100,1024,16384]",
    "                     [--tls-sizes 100|none] [--relay-budget BYTES] [--window N] [--batch N] [--rtt-rate N]",
    "                     [--typed-sizes 100|none] [--batched-sizes 100|none] [--idle S] [--jfr DIR] [--keep]",
    "  --quick       short runs (a smoke test of the whole path)",
    "  --messages N  measured flood: at most N messages per size (default " + DEFAULT_MESSAGES + ")",
    "  --seconds S   measured flood: at most S seconds per size (default " + DEFAULT_SECONDS + ")",
    "  --warmup S    warm-up (flood and round trips until the JIT is quiet) at most S seconds (default " + DEFAULT_WARMUP_MILLIS / 1000 + ")",
    "  --sizes LIST  message sizes in bytes, direct (default 100,1024,16384)",
    "  --tls-sizes LIST  message sizes relayed over TLS, the sender's UDP blocked (default 100; none: no such run)",
    "  --typed-sizes LIST  sizes flooded again with an application consuming every event through the typed API",
    "                in each node (default 100; none: no such run)",
    "  --batched-sizes LIST  sizes flooded again with events.perMessage false, the drivers on the batched events",
    "                (default 100; none: no such run)",
    "  --relay-budget BYTES  the rendezvous's relay budget per client, bytes/s (default " + DEFAULT_RELAY_BYTES_PER_SECOND
      + ", the shipped one)",
    "  --window N    messages in send requests not yet replied to (default " + DEFAULT_WINDOW + ")",
    "  --batch N     texts per send request (default " + DEFAULT_BATCH + "; 1: one text per request)",
    "  --rtt-rate N  round trips per second (default " + DEFAULT_RTT_RATE + "; at most half the flood rate)",
    "  --idle S      the first pair stays idle S seconds once connected, then both nodes' RSS is read (default "
      + DEFAULT_IDLE_MILLIS / 1000 + "; 0: no idle part)",
    "  --jfr DIR     record both nodes with Java Flight Recorder into DIR",
    "  --keep        keep the work directory (node logs) and print where it is");

  static BenchOptions parse(String[] args) {
    BenchOptions o = new BenchOptions();
    for (String arg : args) {
      if (arg.equals("--quick")) {
        o.quick();
      }
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--quick" -> { }
        case "--keep" -> o.keep = true;
        case "--messages" -> o.messages = positive(arg, value(args, ++i));
        case "--seconds" -> o.seconds = positive(arg, value(args, ++i));
        case "--warmup" -> o.warmupMillis = TimeUnit.SECONDS.toMillis(positive(arg, value(args, ++i)));
        case "--window" -> o.window = (int) Math.min(Integer.MAX_VALUE, positive(arg, value(args, ++i)));
        case "--batch" -> o.batch = (int) Math.min(MAX_BATCH, positive(arg, value(args, ++i)));
        case "--rtt-rate" -> o.rttRate = (int) Math.min(1_000_000, positive(arg, value(args, ++i)));
        case "--idle" -> o.idleMillis = TimeUnit.SECONDS.toMillis(nonNegative(arg, value(args, ++i)));
        case "--jfr" -> o.jfrDir = Path.of(value(args, ++i)).toAbsolutePath();
        case "--sizes" -> o.sizes = sizes(arg, value(args, ++i));
        case "--tls-sizes" -> {
          o.tlsSizes = sizesOrNone(arg, value(args, ++i));
        }
        case "--typed-sizes" -> o.typedSizes = sizesOrNone(arg, value(args, ++i));
        case "--batched-sizes" -> o.batchedSizes = sizesOrNone(arg, value(args, ++i));
        case "--relay-budget" -> {
          long budget = positive(arg, value(args, ++i));
          if (budget < MIN_RELAY_BYTES_PER_SECOND || budget > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(arg + ": " + budget + " is outside " + MIN_RELAY_BYTES_PER_SECOND + ".."
              + Integer.MAX_VALUE + " bytes/s");
          }
          o.relayBytesPerSecond = (int) budget;
        }
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    return o;
  }

  private void quick() {
    quick = true;
    messages = QUICK_MESSAGES;
    seconds = QUICK_SECONDS;
    warmupMessages = QUICK_WARMUP_MESSAGES;
    warmupMillis = QUICK_WARMUP_MILLIS;
    rttMillis = QUICK_RTT_MILLIS;
    rttWarmupMillis = QUICK_RTT_WARMUP_MILLIS;
    rawDatagrams = QUICK_RAW_DATAGRAMS;
    rawWarmup = QUICK_RAW_WARMUP;
    idleMillis = QUICK_IDLE_MILLIS;
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static long positive(String option, String text) {
    try {
      long v = Long.parseLong(text.trim());
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " needs a positive integer, not \"" + text + "\"");
  }

  private static long nonNegative(String option, String text) {
    return text.trim().equals("0") ? 0 : positive(option, text);
  }

  /** A list of sizes, or {@code none}: no run of that kind. */
  private static List<Integer> sizesOrNone(String option, String text) {
    return text.equals("none") ? List.of() : sizes(option, text);
  }

  private static List<Integer> sizes(String option, String text) {
    List<Integer> sizes = new ArrayList<>();
    for (String part : text.split(",")) {
      long size = positive(option, part);
      if (size < MIN_SIZE) {
        throw new IllegalArgumentException(option + ": " + size + " is below the smallest bench message (" + MIN_SIZE + " bytes)");
      }
      if (size > io.p2pchat.wire.ChatPayload.MAX_TEXT_BYTES) {
        throw new IllegalArgumentException(option + ": " + size + " is above the largest message ("
          + io.p2pchat.wire.ChatPayload.MAX_TEXT_BYTES + " bytes)");
      }
      sizes.add((int) size);
    }
    return List.copyOf(sizes);
  }
}
