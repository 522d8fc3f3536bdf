package io.p2pchat.ui;

import java.util.List;
import java.util.Set;

/**
 * The node event-bus addresses the page may reach, relative to the configured prefix. The push
 * channel forwards exactly these and nothing else: a page can ask the node to send a chat message
 * or read peers/history, and hears the chat/peer/rendezvous events, but can reach no other address.
 */
public final class UiAddresses {

  /** Requests the page may make (request/reply). */
  public static final Set<String> REQUESTS = Set.of("chat.send", "peers", "history");

  /** Events pushed to the page (published by the node). */
  public static final List<String> EVENTS = List.of(
      "chat.received", "chat.sent", "chat.delivered", "chat.queued", "chat.failed", "peer.state", "rendezvous.state");

  /** Local (in-process) address answering {@code {"url"}}, so a console or test can find the page. */
  public static final String URL_REQUEST = "ui.url";

  private UiAddresses() {
  }

  public static String absolute(String prefix, String relative) {
    return prefix + "." + relative;
  }
}
