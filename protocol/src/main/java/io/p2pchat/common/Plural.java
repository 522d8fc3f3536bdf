package io.p2pchat.common;

/**
 * A count with its noun, singular for one ({@code "1 peer"}, {@code "2 peers"}, {@code "0 peers"}),
 * for every count a person reads: console lines and log lines. Nouns whose plural is not the
 * singular plus {@code s} pass both forms.
 */
public final class Plural {

  private Plural() {
  }

  /** {@code n} and {@code noun}, with an {@code s} unless {@code n} is one: {@code of(1, "peer")} is {@code "1 peer"}. */
  public static String of(long n, String noun) {
    return of(n, noun, noun + "s");
  }

  /** {@code n} and {@code singular} for one, else {@code plural}: {@code of(2, "entry", "entries")} is {@code "2 entries"}. */
  public static String of(long n, String singular, String plural) {
    return n + " " + (n == 1 ? singular : plural);
  }
}
