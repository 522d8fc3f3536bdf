package io.p2pchat.rendezvous;

import java.util.List;

/**
 * Pages of the plain-text {@code list}: as many nicks as fit the answer's byte budget, one per
 * line, then {@code +K more} when nicks remain for later pages. The budget is strict (the answer
 * never exceeds it), so pages depend on the budget: a request padded with spaces earns a larger
 * budget and so longer pages (see docs/PROTOCOL.md).
 */
final class PlainListing {

  /** {@link #page} result when not even one nick (and the {@code +K more} line) fits the budget. */
  static final String NOTHING_FITS = null;
  /** {@link #page} result for a page past the last one. */
  static final String NO_SUCH_PAGE = "";

  private PlainListing() {
  }

  /** Page {@code page} (1-based) of a non-empty {@code nicks} within {@code budget} bytes. */
  static String page(List<String> nicks, int page, int budget) {
    int start = 0;
    for (int p = 1; start < nicks.size(); p++) {
      StringBuilder out = new StringBuilder();
      int used = 0;
      int i = start;
      while (i < nicks.size()) {
        String line = nicks.get(i) + "\n";
        int more = i + 1 < nicks.size() ? moreLine(nicks.size() - i - 1).length() : 0;
        int length = utf8Length(line);
        if (used + length + more > budget) {
          break;
        }
        out.append(line);
        used += length;
        i++;
      }
      if (i == start) {
        return NOTHING_FITS;
      }
      if (p == page) {
        return i < nicks.size() ? out.append(moreLine(nicks.size() - i)).toString() : out.toString();
      }
      start = i;
    }
    return NO_SUCH_PAGE;
  }

  private static String moreLine(int remaining) {
    return "+" + remaining + " more\n";
  }

  private static int utf8Length(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }
}
