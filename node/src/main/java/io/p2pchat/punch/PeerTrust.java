package io.p2pchat.punch;

import io.p2pchat.chat.FailureCodes;
import io.p2pchat.common.NodeLog;
import io.p2pchat.crypto.HandshakePayload;
import io.p2pchat.crypto.KnownPeers;
import io.p2pchat.crypto.NodeIdentity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * Whose keys this node believes: trust on first use of {@code known_peers} (like SSH's
 * known_hosts), the key the rendezvous introduced a nick with, and changed keys held back until
 * the user accepts them ({@code peer.accept}). Every handshake asks {@link #trust} before it
 * completes. Lives on PunchVerticle's event loop only; the file is written off it.
 */
final class PeerTrust {

  /** Trust-on-first-use record of every peer's key, in dataDir, like SSH's known_hosts. */
  static final String KNOWN_PEERS_FILE = "known_peers";

  /** What trust decisions need from the rest of the node. */
  interface Host {
    /** The identity key the rendezvous introduced {@code nick} with (it checked the registrant holds it), or null. */
    byte[] introducedKey(String nick);

    /** {@code nick} offered {@code offered}, not the {@code known} key: front ends ask the user. */
    void untrusted(String nick, String offered, String known);

    /** Asks the rendezvous to introduce {@code nick} again, so a refused handshake starts over. */
    void reintroduce(String nick);
  }

  private final Vertx vertx;
  private final NodeLog log;
  private final KnownPeers knownPeers;
  /** The latest save of known_peers: {@link #saved} waits for it. */
  private Future<Void> lastSave = Future.succeededFuture();
  private final Host host;
  /** Keys presented for a nick that differ from the known one, waiting for the user's {@code /accept}. */
  private final Map<String, byte[]> untrusted = new HashMap<>();

  PeerTrust(Vertx vertx, NodeLog log, KnownPeers knownPeers, Host host) {
    this.vertx = vertx;
    this.log = log;
    this.knownPeers = knownPeers;
    this.host = host;
  }

  /** Trust on first use: the first key seen for a nick is remembered; a different one is refused. */
  boolean trust(HandshakePayload payload) {
    byte[] introducedKey = host.introducedKey(payload.nick());
    if (introducedKey != null && !MessageDigest.isEqual(introducedKey, payload.signingKey())) {
      // The rendezvous checked that the registrant of this nick holds its key: whoever answered does not.
      log.error("{} answered with key {}, not the key {} registered with the rendezvous: refused", payload.nick(),
        NodeIdentity.fingerprintOf(payload.signingKey()), NodeIdentity.fingerprintOf(introducedKey));
      return false;
    }
    return trustKey(payload.nick(), payload.signingKey());
  }

  /**
   * The same rules for a key that came without a handshake (a mailbox envelope's sender, which the envelope
   * authenticated): trusted when known for {@code nick}, remembered on first use, refused and raised to the
   * user when it differs.
   */
  boolean trustKey(String nick, byte[] key) {
    switch (knownPeers.check(nick, key)) {
      case MATCH:
        return true;
      case NEW:
        knownPeers.remember(nick, key);
        save();
        log.info("first key seen for {}: {} (trusted on first use)", nick, NodeIdentity.fingerprintOf(key));
        return true;
      default:
        String known = knownPeers.keyOf(nick).map(NodeIdentity::fingerprintOf).orElse("?");
        String offered = NodeIdentity.fingerprintOf(key);
        byte[] waiting = untrusted.put(nick, key);
        if (waiting == null || !MessageDigest.isEqual(waiting, key)) {
          // Every different key raises its own alert: the user compares the fingerprint shown last,
          // and /accept takes only that one.
          log.error("KEY CHANGED for {}: known {}, now {}; refused until the user accepts it", nick, known, offered);
          host.untrusted(nick, offered, known);
        }
        return false;
    }
  }

  /** True when {@code key} is the one known_peers holds for {@code nick}: only then is mail sealed to it. */
  boolean isTrusted(String nick, byte[] key) {
    return knownPeers.check(nick, key) == KnownPeers.Trust.MATCH;
  }

  /**
   * {@code peer.accept} {@code {"nick", "fingerprint"}}: the user accepts the changed key waiting for
   * the nick, and only if it is the key whose fingerprint they compared (spaces and case do not
   * matter). A key that changed again since is refused with {@link FailureCodes#CONFLICT}: its own
   * alert went out, and that fingerprint is the one to compare.
   */
  void onAccept(Message<Object> msg) {
    JsonObject body = (JsonObject) msg.body();
    String nick = body.getString("nick");
    String compared = body.getString("fingerprint");
    byte[] key = untrusted.get(nick);
    if (key == null) {
      msg.fail(FailureCodes.NOT_FOUND, "no changed key waiting for " + nick);
      return;
    }
    String waiting = NodeIdentity.fingerprintOf(key);
    if (!normalized(waiting).equals(normalized(compared))) {
      msg.fail(FailureCodes.CONFLICT, "the key waiting for " + nick + " is " + waiting + ", not " + compared
        + ": compare that one with " + nick);
      return;
    }
    untrusted.remove(nick);
    knownPeers.accept(nick, key);
    save();
    log.warn("the user accepted the new key of {}: {}", nick, waiting);
    // A fresh introduction restarts the handshake that was refused.
    host.reintroduce(nick);
    msg.reply(new JsonObject().put("nick", nick).put("fingerprint", waiting));
  }

  /** A fingerprint as typed or shown, without its grouping spaces, lower case. */
  private static String normalized(String fingerprint) {
    return fingerprint.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
  }

  private void save() {
    // Ordered on this context's worker queue: the last save completes after every earlier one.
    lastSave = vertx.<Void>executeBlocking(() -> {
      knownPeers.save();
      return null;
    }).onFailure(e -> log.error("cannot save known peers: {}", e.getMessage()));
  }

  /**
   * Completes once every save asked for so far is on disk (or failed, which was logged): the node's
   * stop waits for it, so a key trusted just before an undeploy is in known_peers when it returns.
   */
  Future<Void> saved() {
    return lastSave.otherwiseEmpty();
  }
}
