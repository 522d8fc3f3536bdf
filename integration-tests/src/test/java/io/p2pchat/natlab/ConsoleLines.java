package io.p2pchat.natlab;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The console lines a p2pchat user sees (the contract of {@code io.p2pchat.console}), as patterns:
 * <pre>
 * [HH:mm:ss] NICK: TEXT              a room message
 * [HH:mm:ss] NICK (private): TEXT    a direct message
 * * NICK connected (STATE ADDR:PORT) a peer appeared
 * * NICK path STATE ADDR:PORT        its path changed (main prints "relay ADDR:PORT" for a relayed one)
 * * NICK left
 * * stats: datagrams in N out N; drops total N REASON=N ...   the answer to /stats
 * </pre>
 */
final class ConsoleLines {

  static final String CONNECTING = "connecting";
  static final String DIRECT_LAN = "direct-lan";
  static final String DIRECT = "direct";
  static final String RELAYED = "relayed";
  static final String GONE = "gone";

  /** States in which a path carries chat: a scenario's "first confirmed path". */
  static final Set<String> CONFIRMED = Set.of(DIRECT_LAN, DIRECT, RELAYED);

  private static final String TIME = "\\[\\d\\d:\\d\\d:\\d\\d\\] ";

  private ConsoleLines() {}

  /** A path line about {@code nick}: group 1 = state, group 2 = address. */
  static Pattern path(String nick) {
    String n = Pattern.quote(nick);
    return Pattern.compile("\\* " + n + " (?:connected \\((\\S+) (.+)\\)|path (\\S+) (.+))");
  }

  /** A path line about {@code nick} in one of {@code states}. */
  static Pattern pathIn(String nick, Set<String> states) {
    String alt = String.join("|", states.stream().map(Pattern::quote).toList());
    String n = Pattern.quote(nick);
    return Pattern.compile("\\* " + n + " (?:connected \\((" + alt + ") (.+)\\)|path (" + alt + ") (.+))");
  }

  /** A path line about {@code nick} in {@code state} at exactly {@code address} ({@code ip:port}, IPv6 in brackets). */
  static Pattern pathAt(String nick, String state, String address) {
    String n = Pattern.quote(nick);
    String s = Pattern.quote(state);
    String a = Pattern.quote(address);
    return Pattern.compile("\\* " + n + " (?:connected \\((" + s + ") (" + a + ")\\)|path (" + s + ") (" + a + "))");
  }

  /** The state of a line matched by {@link #path} or {@link #pathIn}. */
  static String state(ConsoleProcess.Matched m) {
    return m.group(1) != null ? m.group(1) : m.group(3);
  }

  /** The address of a line matched by {@link #path} or {@link #pathIn}. */
  static String address(ConsoleProcess.Matched m) {
    return m.group(1) != null ? m.group(2) : m.group(4);
  }

  /** A room message from {@code nick} with exactly {@code text}. */
  static Pattern roomMessage(String nick, String text) {
    return Pattern.compile(TIME + Pattern.quote(nick) + ": " + Pattern.quote(text));
  }

  /** Any room message from {@code nick} whose text matches {@code textRegex} (group 1 onwards are its groups). */
  static Pattern roomMessageMatching(String nick, String textRegex) {
    return Pattern.compile(TIME + Pattern.quote(nick) + ": " + textRegex);
  }

  /** A private message from {@code nick} with exactly {@code text}. */
  static Pattern privateMessage(String nick, String text) {
    return Pattern.compile(TIME + Pattern.quote(nick) + " \\(private\\): " + Pattern.quote(text));
  }

  /** The answer to {@code /stats}: group 1 = total drops, group 2 = the {@code REASON=N} pairs (maybe empty). */
  static final Pattern STATS = Pattern.compile("\\* stats: datagrams in \\d+ out \\d+; drops total (\\d+)(.*)");

  /** {@code * NICK left}: the node was told the peer is gone. */
  static Pattern left(String nick) {
    return Pattern.compile("\\* " + Pattern.quote(nick) + " left");
  }

  /** {@code * NICK connected (...)}: the peer was introduced (in any state). */
  static Pattern connected(String nick) {
    return Pattern.compile("\\* " + Pattern.quote(nick) + " connected \\(.*\\)");
  }
}
