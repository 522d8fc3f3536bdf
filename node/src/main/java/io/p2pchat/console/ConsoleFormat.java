package io.p2pchat.console;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The console's line formats. Peer text is shown, never interpreted: control characters,
 * terminal escape sequences and bidirectional overrides appear escaped ({@code \x1b}), so no peer
 * can forge a line, move the cursor or recolour the terminal; a multi-line text continues on lines
 * indented by two spaces.
 */
public final class ConsoleFormat {

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
  /** Continuation lines of a multi-line message start with this, so they never look like a new line. */
  static final String CONTINUATION = "  ";
  /** Characters of a failed message shown in its {@code ! not delivered} line. */
  static final int FAILED_PREVIEW_CHARS = 40;

  private ConsoleFormat() {
  }

  /** A {@code peer.state}'s path as people read it: its state, {@code relayed over TLS} for one relayed over our TLS link. */
  public static String path(io.vertx.core.json.JsonObject peer) {
    String state = peer.getString("state");
    return "relayed".equals(state) && "tls".equals(peer.getString("transport")) ? state + " over TLS" : state;
  }

  /**
   * A {@code peer.state}'s path and where it goes, as every console line shows it: {@code direct 198.51.100.7:4000}
   * (the peer), {@code relayed 203.0.113.10:7000} (the rendezvous relaying), {@code relayed over TLS via
   * 203.0.113.10:7443} (the rendezvous's TLS port this node reaches it on), {@code connecting -} (no address yet).
   */
  public static String pathAndAddress(io.vertx.core.json.JsonObject peer) {
    String path = path(peer);
    String address = peer.getString("address");
    return address == null ? path + " -"
      : path + (path.endsWith(" over TLS") ? " via " : " ") + safe(address);
  }

  /** {@code [HH:mm:ss] NICK: TEXT} or {@code [HH:mm:ss] NICK (private): TEXT}. */
  public static String message(long ts, String nick, String qualifier, String text) {
    String head = "[" + CLOCK.format(Instant.ofEpochMilli(ts)) + "] " + safe(nick)
      + (qualifier == null ? "" : " (" + qualifier + ")") + ": ";
    return head + multiline(text);
  }

  /**
   * How {@code /history} qualifies a message of {@code p2pchat.history}'s reply: {@code private} for one
   * received privately, {@code private to NICK} for one we sent privately, and for one of ours not delivered
   * yet its state beside (or alone, for the room): {@code sending}, {@code queued} (in the peer's mailbox at
   * the rendezvous) or {@code failed}; null for a delivered room message or one received in the room.
   */
  public static String historyQualifier(io.vertx.core.json.JsonObject msg) {
    boolean ours = "out".equals(msg.getString("direction"));
    String to = msg.getString("to");
    String kind = to == null ? null : ours ? "private to " + safe(to) : "private";
    String state = msg.getString("state");
    if (!ours || state == null || "delivered".equals(state)) {
      return kind;
    }
    return kind == null ? state : kind + ", " + state;
  }

  /**
   * {@code ! not delivered to NICK: TEXT… (REASON)}, the text cut to a preview; without a peer (a
   * room message that reached nobody) {@code ! not delivered: REASON: TEXT…}.
   */
  public static String notDelivered(String peer, String text, String reason) {
    String preview = text == null ? "" : text.length() > FAILED_PREVIEW_CHARS
      ? text.substring(0, FAILED_PREVIEW_CHARS) + "…" : text;
    String shown = escape(preview.replace('\n', ' '));
    if (peer == null) {
      return "! not delivered: " + (reason == null ? "" : escape(reason)) + (shown.isEmpty() ? "" : ": " + shown);
    }
    return "! not delivered to " + safe(peer) + ": " + shown + (reason == null ? "" : " (" + escape(reason) + ")");
  }

  /** Text with continuation lines indented and every other control character escaped. */
  static String multiline(String text) {
    String[] lines = text.split("\r?\n", -1);
    StringBuilder out = new StringBuilder(escape(lines[0]));
    for (int i = 1; i < lines.length; i++) {
      out.append('\n').append(CONTINUATION).append(escape(lines[i]));
    }
    return out.toString();
  }

  /** One line of text, every control, escape and bidi-override character made visible. */
  public static String escape(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isDangerous(c)) {
        if (out == null) {
          out = new StringBuilder(text.length() + 8).append(text, 0, i);
        }
        out.append(c <= 0xFF ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? text : out.toString();
  }

  /** Nicks are validated by the rendezvous, but a console never trusts what it prints. */
  static String safe(String nick) {
    return nick == null ? "?" : escape(nick);
  }

  private static boolean isDangerous(char c) {
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)
      || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F;
  }
}
