package io.p2pchat.chat;

/**
 * The failure codes every request address of a node answers with ({@code ReplyException.failureCode()}),
 * the same at every address; the README's "Event-bus API" section has the table. The codes are
 * HTTP's, so a bridge can pass them on unchanged.
 */
public final class FailureCodes {

  /** The body is not what the address takes: not a JSON object, an unknown field, a wrong type, an empty text. */
  public static final int BAD_REQUEST = 400;
  /** What the request names is not there: a peer this node does not know, no changed key waiting for that nick. */
  public static final int NOT_FOUND = 404;
  /**
   * The request is about something that changed since the user looked: {@code peer.accept} with a
   * fingerprint that is not the key now waiting (the peer presented yet another key).
   */
  public static final int CONFLICT = 409;
  /** A text longer than a message may carry ({@code ChatPayload.MAX_TEXT_BYTES} in UTF-8). */
  public static final int TOO_LARGE = 413;
  /**
   * Not accepted now, worth retrying later: a peer's send queue is full, the node is not ready, or it is stopping
   * ({@code chat.send} from the moment its transport begins to stop).
   */
  public static final int UNAVAILABLE = 503;

  private FailureCodes() {
  }
}
