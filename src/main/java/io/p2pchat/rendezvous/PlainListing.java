package io.p2pchat.rendezvous;

import java.util.List;

/**
 * Pages of the plain-text {@code list}: as many nicks as fit the answer's byte budget, one per
 * line, then {@code +K more} when nicks remain for later pages.
 */
final class PlainListing {

  /** Room left on every page for the {@code +K more} line. */
  private static final int MORE_LINE_RESERVE = 16;

  private PlainListing() {
  }

  /** Page {@code page} (1-based) of {@code nicks} within {@code budget} bytes, or null past the end. */
  static String page(List<String> nicks, int page, int budget) {
    int start = 0;
    for (int p = 1; ; p++) {
      StringBuilder out = new StringBuilder();
      int i = start;
      while (i < nicks.size()) {
        String line = nicks.get(i) + "\n";
        if (out.length() + line.length() + MORE_LINE_RESERVE > budget && i > start) {
          break;
        }
        out.append(line);
        i++;
      }
      if (p == page) {
        if (i < nicks.size()) {
          out.append('+').append(nicks.size() - i).append(" more\n");
        }
        return start < nicks.size() || page == 1 ? out.toString() : null;
      }
      if (i >= nicks.size()) {
        return null;
      }
      start = i;
    }
  }
}
