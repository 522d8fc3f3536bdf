package io.p2pchat.wire;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * A plain-text command of the original design: {@code punch}, {@code list [PAGE]},
 * {@code peer N}. Trailing white space is ignored, so {@code printf 'list\n' | nc -u} works and a
 * netcat user can pad a request with spaces to earn a longer answer (anti-amplification).
 *
 * @param verb what is asked
 * @param argument the page of {@code list} or the index of {@code peer} (1-based)
 */
public record PlainCommand(Verb verb, int argument) {

  public enum Verb { PUNCH, LIST, PEER }

  /** Longest request worth reading: a command plus a number plus generous padding. */
  public static final int MAX_LENGTH = 1024;
  /** Largest page or index accepted; bounds the work one request can cause. */
  private static final int MAX_ARGUMENT = 1_000_000;

  public static PlainCommand parse(Buffer datagram) throws WireException {
    if (datagram.length() > MAX_LENGTH) {
      throw new WireException(DropReason.OVERSIZED, "plain command of " + datagram.length() + " bytes");
    }
    String[] words = datagram.toString(StandardCharsets.US_ASCII).trim().split("\\s+");
    String verb = words[0].toLowerCase();
    if (words.length > 2) {
      throw new WireException(DropReason.MALFORMED, "too many words");
    }
    switch (verb) {
      case "punch":
        if (words.length != 1) {
          throw new WireException(DropReason.MALFORMED, "punch takes no argument");
        }
        return new PlainCommand(Verb.PUNCH, 0);
      case "list":
        return new PlainCommand(Verb.LIST, words.length == 2 ? number(words[1]) : 1);
      case "peer":
        if (words.length != 2) {
          throw new WireException(DropReason.MALFORMED, "peer needs a number");
        }
        return new PlainCommand(Verb.PEER, number(words[1]));
      default:
        throw new WireException(DropReason.UNKNOWN_TYPE, "unknown command");
    }
  }

  private static int number(String word) throws WireException {
    try {
      int n = Integer.parseInt(word);
      if (n < 1 || n > MAX_ARGUMENT) {
        throw new WireException(DropReason.MALFORMED, "number out of range: " + word);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new WireException(DropReason.MALFORMED, "not a number");
    }
  }
}
