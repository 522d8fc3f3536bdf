package io.p2pchat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;

/**
 * A test's view of a {@code /metrics} listener on loopback: scrapes, one sample's value, and waiting for a
 * value (a node copies its figures for the scrape every second, so a figure shows a moment after the event).
 */
final class Scrapes {

  /** How often a figure is scraped again while a test waits for it: a few times per node refresh. */
  private static final long POLL_MS = 200;

  private final HttpClient http;
  private final long waitSeconds;

  /** @param waitSeconds how long an HTTP answer, and a figure awaited, may take: generous on a loaded machine */
  Scrapes(long waitSeconds) {
    this.waitSeconds = waitSeconds;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(waitSeconds)).build();
  }

  /** The exposition at {@code port}'s {@code /metrics}, asserting it answered 200. */
  String scrape(int port) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
      .timeout(Duration.ofSeconds(waitSeconds)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  /** The value of the sample {@code series} (its name and labels as exposed), or -1 when the exposition lacks it. */
  static double value(String exposition, String series) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }

  /** Scrapes until {@code series} satisfies {@code until}, at most the wait; its last value. */
  double awaitValue(int port, String series, DoublePredicate until) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
    double last;
    do {
      last = value(scrape(port), series);
      if (until.test(last)) {
        return last;
      }
      Thread.sleep(POLL_MS);
    } while (System.nanoTime() < deadline);
    return last;
  }
}
