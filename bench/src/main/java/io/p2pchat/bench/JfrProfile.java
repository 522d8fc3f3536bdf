package io.p2pchat.bench;

import io.p2pchat.common.NodeLog;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a node's CPU went, from a JFR recording of {@code p2pchat bench --jfr DIR}: the share of
 * execution samples spent inside each part of the node (inclusive: a sample counts for every part
 * on its stack), then the hottest methods (self time). Usage: {@code JfrProfile FILE.jfr [TOP]}.
 */
public final class JfrProfile {

  private static final int DEFAULT_TOP = 15;
  private static final String SAMPLE_EVENT = "jdk.ExecutionSample";

  /** Parts of a node, by the class-name prefixes of their frames. */
  private static final Map<String, List<String>> PARTS = new LinkedHashMap<>();

  static {
    PARTS.put("history (store, journal)", List.of("io.p2pchat.history.", "io.p2pchat.chat.ChatHistory"));
    PARTS.put("encryption (AEAD, Noise)", List.of("io.p2pchat.crypto.", "com.sun.crypto.", "javax.crypto.",
      "sun.security."));
    PARTS.put("ChatVerticle", List.of("io.p2pchat.chat.ChatVerticle"));
    PARTS.put("PunchVerticle + PeerSession", List.of("io.p2pchat.punch."));
    PARTS.put("reliable streams (delivery)", List.of("io.p2pchat.delivery."));
    PARTS.put("wire codecs", List.of("io.p2pchat.wire."));
    PARTS.put("logging (logback, slf4j)", List.of("ch.qos.logback.", "org.slf4j.", "io.p2pchat.common.NodeLog"));
    PARTS.put("JSON (JsonObject, Jackson)", List.of("io.vertx.core.json.", "com.fasterxml.jackson."));
    PARTS.put("event bus", List.of("io.vertx.core.eventbus."));
    PARTS.put("UDP socket I/O (netty, NIO)", List.of("io.netty.channel.socket.", "sun.nio.ch.DatagramChannelImpl"));
    PARTS.put("bench driver", List.of("io.p2pchat.bench."));
  }

  private JfrProfile() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrProfile FILE.jfr [TOP]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_TOP;
    Map<String, Integer> parts = new LinkedHashMap<>();
    PARTS.keySet().forEach(p -> parts.put(p, 0));
    Map<String, Integer> innermost = new LinkedHashMap<>();
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
      RecordedStackTrace stack = event.getStackTrace();
      if (!event.getEventType().getName().equals(SAMPLE_EVENT) || stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      threads.merge(event.getThread("sampledThread").getJavaName(), 1, Integer::sum);
      self.merge(name(stack.getFrames().get(0)), 1, Integer::sum);
      for (Map.Entry<String, List<String>> part : PARTS.entrySet()) {
        if (stack.getFrames().stream().anyMatch(f -> matches(f, part.getValue()))) {
          parts.merge(part.getKey(), 1, Integer::sum);
        }
      }
      innermost.merge(innermostPart(stack.getFrames()), 1, Integer::sum);
    }
    System.out.printf("%s: %d execution samples%n%nby thread:%n", args[0], samples);
    print(threads, samples, top);
    System.out.printf("%nby part (inclusive):%n");
    print(parts, samples, parts.size());
    System.out.printf("%nby part (exclusive: the innermost part on the stack; JDK/Vert.x code counts for its caller):%n");
    print(innermost, samples, innermost.size());
    System.out.printf("%nhottest methods (self):%n");
    print(self, samples, top);
  }

  private static String innermostPart(List<RecordedFrame> frames) {
    for (RecordedFrame frame : frames) {
      for (Map.Entry<String, List<String>> part : PARTS.entrySet()) {
        if (matches(frame, part.getValue())) {
          return part.getKey();
        }
      }
    }
    return "other (Netty event loop, JDK, startup)";
  }

  private static boolean matches(RecordedFrame frame, List<String> prefixes) {
    String type = frame.getMethod().getType().getName();
    return prefixes.stream().anyMatch(type::startsWith);
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static void print(Map<String, Integer> counts, int samples, int top) {
    counts.entrySet().stream()
      .sorted((a, b) -> b.getValue() - a.getValue())
      .limit(top)
      .forEach(e -> System.out.printf("  %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getValue(),
        e.getKey()));
  }
}
