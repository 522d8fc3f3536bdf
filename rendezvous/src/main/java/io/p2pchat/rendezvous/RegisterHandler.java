package io.p2pchat.rendezvous;

import io.p2pchat.common.NodeLog;
import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.rendezvous.cluster.Member;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.function.BiPredicate;

/**
 * {@code register}: the first one (no cookie, or a stale one) is answered with a {@code challenge}
 * carrying the cookie of the source address, keeping no state. The second one: the cookie proves
 * the address, the signature proves the key; only then is anything stored (cluster-wide, the nick
 * is claimed first), answered with {@code registered}, and the room introduced. Checks of what a
 * registration reports about the client (its candidates) belong here.
 */
final class RegisterHandler implements ControlHandler {

  private final AddressCookie cookies = new AddressCookie();
  private final Registry registry;
  private final RendezvousDirectory directory;
  private final Introductions introductions;
  private final Outbox outbox;
  private final NodeLog log;
  private final HostCandidates hostCandidates;
  private final int ttlSeconds;
  private final boolean relay;
  /**
   * True when the client holding the key (first argument) had its control session's handshake answered at the
   * address (second): {@link ControlChannel#answeredAt}. Such a client's register needs no challenge.
   */
  private final BiPredicate<byte[], Endpoint> answeredAt;
  /** The mailbox's side of a registration ({@link MailboxDelivery#registered}; none without a mailbox). */
  interface PickUp {
    /** No mailbox: nothing waits that anyone could tell, no pick-up. */
    PickUp NONE = (r, anew) -> -1;

    /**
     * {@code r} registered ({@code anew}: new or moved, not a repeat, and the mailbox's pick-up starts); returns
     * how many messages wait for it, -1 when unknown without a read: {@code registered}'s {@code mail}.
     */
    int registered(Registration r, boolean anew);
  }

  private final PickUp pickUp;

  RegisterHandler(RendezvousOptions options, Registry registry, RendezvousDirectory directory,
                  Introductions introductions, HostCandidates hostCandidates, Outbox outbox, NodeLog log,
                  BiPredicate<byte[], Endpoint> answeredAt, PickUp pickUp) {
    this.answeredAt = answeredAt;
    this.pickUp = pickUp;
    this.hostCandidates = hostCandidates;
    this.registry = registry;
    this.directory = directory;
    this.introductions = introductions;
    this.outbox = outbox;
    this.log = log;
    this.ttlSeconds = options.ttlSeconds();
    this.relay = options.relay();
  }

  /** What became of registrations: a bounded label set for the metrics. */
  enum Outcome {
    /** Asked to sign a fresh address cookie first (the stateless step before any state). */
    CHALLENGED,
    BAD_VERSION,
    BAD_SIGNATURE,
    /** Refused by the registry or the cluster (nick taken, full, too many from one host, busy). */
    REFUSED,
    NEW,
    MOVED,
    /** The same registration again (its answer crossed a retry). */
    REFRESHED,
    /**
     * Admitted (or passed on to the cluster's claim) without a challenge: it came in the sealed session of
     * the key it names, from the address that session's handshake was answered at.
     */
    UNCHALLENGED
  }

  private final EnumCounts<Outcome> outcomes = new EnumCounts<>(Outcome.class);
  /** {@link #outcomes} at the last {@link #report}. */
  private final long[] reported = new long[Outcome.values().length];

  /** Registrations by outcome since start. */
  EnumCounts<Outcome> outcomes() {
    return outcomes;
  }

  /**
   * Logs one INFO line with the registrations since the last call, by outcome, and how many clients are
   * registered, when there were any: the operator's view of registrations (each one is a DEBUG line). Called
   * every {@link DropReport#INTERVAL_MS} and at shutdown.
   */
  void report(int registered) {
    StringBuilder since = new StringBuilder();
    for (Outcome o : Outcome.values()) {
      long n = outcomes.get(o) - reported[o.ordinal()];
      reported[o.ordinal()] = outcomes.get(o);
      if (n != 0) {
        since.append(since.length() == 0 ? "" : ", ").append(o.name().toLowerCase(java.util.Locale.ROOT)).append(' ')
          .append(n);
      }
    }
    if (since.length() > 0) {
      log.info("registrations since the last report: {} ({} registered)", since, registered);
    }
  }

  /** A {@code register} not known to come from a sealed session: its Ed25519 signature is checked. */
  @Override
  public void handle(Exchange ex, JsonObject msg) throws WireException {
    handleSealed(ex, msg, null);
  }

  /**
   * A {@code register} opened from the sealed control session of the identity key {@code sessionKey}
   * (null: none). When that key is the one registered, the signature is not checked (its public-key
   * verify was a third of a registration's cost): the session's AEAD already proves the sender holds
   * the static key which the INITIATION's binding signature tied to that identity, and its replay
   * window refuses a repeat. The address cookie is still checked (an HMAC: cheap). docs/PROTOCOL.md,
   * "What a registration costs". When, moreover, it comes from the address at which that session's
   * handshake was answered, the address is proven too (only a receiver of the RESPONSE or RESUMED could key the
   * session) and no challenge round trip is needed: the first, unsigned register is admitted at once. An
   * old client's signed second register still works. docs/PROTOCOL.md, "Registering without a challenge".
   */
  void handleSealed(Exchange ex, JsonObject msg, byte[] sessionKey) throws WireException {
    if (Control.number(msg, Control.VERSION) != Control.PROTOCOL_VERSION) {
      outcomes.count(Outcome.BAD_VERSION);
      outbox.answer(ex, Control.error("bad-version", "speaks protocol " + Control.PROTOCOL_VERSION));
      return;
    }
    RegisterRequest listed = RegisterRequest.parse(msg);
    long nowMillis = System.currentTimeMillis();
    InetSocketAddress source = ex.from.toInetSocketAddress();
    boolean provenBySession = sessionKey != null && Arrays.equals(sessionKey, listed.key());
    boolean addressProven = provenBySession && answeredAt.test(sessionKey, ex.from);
    if (addressProven) {
      outcomes.count(Outcome.UNCHALLENGED);
    } else if (!listed.signed() || !cookies.verify(listed.cookie(), source, nowMillis)) {
      outcomes.count(Outcome.CHALLENGED);
      outbox.answer(ex, Control.of(ControlType.CHALLENGE).put(Control.COOKIE, Control.base64(cookies.issue(source, nowMillis))));
      return;
    }
    if (!provenBySession && !listed.signatureValid()) {
      log.info("bad registration signature for {} from {} (key {})", listed.nick(), ex.from,
        NodeIdentity.keyIdOf(listed.key()));
      outcomes.count(Outcome.BAD_SIGNATURE);
      outbox.answer(ex, Control.error("bad-signature", "signature does not verify"));
      return;
    }
    // Only now, with the address and key proven, are the candidates checked: peers hear only these.
    RegisterRequest kept = listed.withLocal(hostCandidates.keep(listed.local(), ex.from));
    // Proven by the session: its array, so the registration and the session hold one copy of the key, not two.
    RegisterRequest request = provenBySession ? kept.withKey(sessionKey) : kept;
    Registration held = registry.byNick(request.nick());
    if (directory.clustered() && (held == null || !held.isLocal() || !Arrays.equals(held.key, request.key()))) {
      // The nick must be free cluster-wide (or ours already): ask the shared map, answer when it has.
      ex.handled();
      Endpoint from = ex.from;
      directory.claim(new Member(request.nick(), request.room(), Control.base64(request.key()), request.instance(),
          from, request.local(), 0, directory.self()))
        .onSuccess(v -> admit(null, from, request))
        .onFailure(e -> {
          outcomes.count(Outcome.REFUSED);
          log.info("refused registration of {} from {} (key {}): {}", request.nick(), from,
            NodeIdentity.keyIdOf(request.key()), e.toString());
          outbox.tell(null, from, e instanceof RendezvousDirectory.NickTakenException
            ? Control.error("nick-taken", e.getMessage()) : Control.error("busy", "the cluster did not answer; retry"));
        });
      return;
    }
    admit(ex, ex.from, request);
  }

  /** Stores a verified registration and answers it; {@code ex} is null once a cluster claim was awaited. */
  private void admit(Exchange ex, Endpoint from, RegisterRequest request) {
    Registry.Outcome outcome;
    try {
      outcome = registry.register(request, from, System.nanoTime());
    } catch (RegistryException e) {
      outcomes.count(Outcome.REFUSED);
      log.info("refused registration of {} from {} (key {}): {}", request.nick(), from,
        NodeIdentity.keyIdOf(request.key()), e.getMessage());
      outbox.tell(ex, from, Control.error(e.code, e.getMessage()));
      return;
    }
    outcomes.count(outcome == Registry.Outcome.NEW ? Outcome.NEW
      : outcome == Registry.Outcome.REFRESHED ? Outcome.REFRESHED : Outcome.MOVED);
    Registration r = registry.byNick(request.nick());
    JsonObject registered = Control.of(ControlType.REGISTERED)
      .put(Control.NICK, r.nick)
      .put(Control.ROOM, r.room)
      .put(Control.PUBLIC, from.toString())
      .put(Control.RELAY_ID, r.relayId)
      .put(Control.TTL, ttlSeconds)
      .put("relay", relay);
    // The pick-up of a new or moved registration starts here too; its mail follows the answer (a later turn).
    int mail = pickUp.registered(r, outcome != Registry.Outcome.REFRESHED);
    if (mail >= 0) {
      // What the pick-up about to start brings: the node holds its peers' live messages behind it only then.
      registered.put(Control.MAIL_WAITING, mail);
    }
    outbox.tell(ex, from, registered);
    if (outcome == Registry.Outcome.REFRESHED) {
      // A repeated registration (its answer crossed a retry): the introductions already went out.
      return;
    }
    if (log.isDebugEnabled()) {
      // DEBUG: one line per client was 3% of a registration's CPU at scale; INFO has the summary (report).
      log.debug("{} {} in room {} from {} (key {}, local {})", r.nick, outcome == Registry.Outcome.NEW ? "registered"
        : "moved", r.shortRoom(), from, NodeIdentity.keyIdOf(r.key), r.local);
    }
    directory.announce(ClusterMembers.toMember(r, directory.self()));
    introductions.registeredAnew(r);
    introductions.introduceToRoom(ex, r);
  }
}
