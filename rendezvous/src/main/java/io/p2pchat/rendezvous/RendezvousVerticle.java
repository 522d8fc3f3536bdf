package io.p2pchat.rendezvous;

import io.p2pchat.crypto.AddressCookie;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.common.ConfigLoader;
import io.p2pchat.common.NodeLog;
import io.p2pchat.common.UdpSockets;
import io.p2pchat.rendezvous.cluster.Member;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlCodec;
import io.p2pchat.wire.ControlSigning;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.DropCounters;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketHeader;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.PlainCommand;
import io.p2pchat.wire.RelayCodec;
import io.p2pchat.wire.StunCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The rendezvous server: registers clients, introduces peers of a room to each other (both at
 * once, so they punch simultaneously), expires silent clients, relays opaque peer packets when
 * punching fails, and answers STUN Binding requests and the original plain-text commands.
 * It never sees what people say: relayed packets are forwarded byte for byte, never parsed or logged.
 *
 * <p>Hardening (docs/SECURITY.md): registration is signed by the client's Ed25519 key over a
 * stateless address cookie, so an unvalidated source creates no state; every answer to a source
 * that is not a registered client is at most 3 times what it sent; every source ip:port and ip is
 * rate limited (bounded maps); every datagram ends answered, handled or dropped-and-counted.
 */
public class RendezvousVerticle extends VerticleBase {

  /** How often silent registrations are looked for; a quarter TTL keeps expiry within 25% late. */
  private static final long EXPIRY_SWEEPS_PER_TTL = 4;
  /** Bytes of random secret per introduction: the key of the peers' probe MACs. */
  private static final int INTRO_SECRET_SIZE = 32;
  /** Drops are summed up in one INFO line this often (when there were any), not one line each. */
  private static final long DROP_LOG_INTERVAL_MS = 60_000;

  private RendezvousOptions options;
  private NodeLog log;
  private DatagramSocket socket;
  private Registry registry;
  /** The other instances of a cluster ({@code -cluster}); alone, a no-op. */
  private RendezvousDirectory directory = RendezvousDirectory.local();
  private RateLimiter perSource;
  private RateLimiter perHost;
  private final AddressCookie cookies = new AddressCookie();
  private final DropCounters drops = new DropCounters();
  private final SecureRandom random = new SecureRandom();
  private long received;
  private long answered;
  private long handled;
  private long bugs;
  private JsonObject dropsLogged = new JsonObject();
  private long counter;
  private long expiryTimer;
  private long dropLogTimer;
  private int port;

  @Override
  public Future<?> start() {
    return ConfigLoader.load(config(), RendezvousOptions.KEYS)
      .map(RendezvousOptions::new)
      .compose(opts -> {
        options = opts;
        log = NodeLog.of(RendezvousVerticle.class, "rendezvous", opts.logDir());
        registry = new Registry(opts.maxClients(), opts.maxClientsPerHost(), opts.relayBytesPerSecond());
        perSource = new RateLimiter(opts.requestsPerSecond(), opts.requestBurst(), opts.maxTrackedSources());
        perHost = new RateLimiter(opts.requestsPerSecondPerHost(), opts.requestBurstPerHost(), opts.maxTrackedSources());
        socket = UdpSockets.create(vertx, log);
        socket.handler(this::onDatagram);
        return socket.listen(opts.port(), opts.host());
      })
      .compose(s -> RendezvousDirectory.create(vertx, TimeUnit.SECONDS.toMillis(options.ttlSeconds()),
          new ClusterMembers(registry, clusterHost(), log, options.relayBytesPerSecond()))
        .map(d -> {
          directory = d;
          return s;
        }))
      .onSuccess(s -> {
        port = s.localAddress().port();
        long ttlNanos = TimeUnit.SECONDS.toNanos(options.ttlSeconds());
        expiryTimer = vertx.setPeriodic(Math.max(100, TimeUnit.NANOSECONDS.toMillis(ttlNanos / EXPIRY_SWEEPS_PER_TTL)),
          id -> expire(ttlNanos));
        dropLogTimer = vertx.setPeriodic(DROP_LOG_INTERVAL_MS, id -> logDrops());
        vertx.eventBus().consumer("p2pchat.rendezvous.stats", msg -> msg.reply(stats()));
        log.info("rendezvous listening on {}:{} (ttl {} s, relay {}, {} requests/s per source)", options.host(), port,
          options.ttlSeconds(), options.relay() ? "on" : "off", options.requestsPerSecond());
        // Logs go to the file only: one line on the terminal tells whoever started it that it is up.
        System.out.println("* rendezvous listening on UDP " + options.host() + ":" + port + (vertx.isClustered()
          ? " (cluster member)" : "") + "; log " + java.nio.file.Path.of(options.logDir(), "rendezvous.log"));
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(expiryTimer);
    vertx.cancelTimer(dropLogTimer);
    if (log != null) {
      logDrops();
      log.info("rendezvous shutting down ({} clients registered)", registry.size());
    }
    return directory.close().eventually(() -> socket == null ? Future.succeededFuture() : socket.close());
  }

  /** The UDP port this server listens on (useful with port 0). */
  public int port() {
    return port;
  }

  /**
   * Clients registered, and what became of every datagram received: {@code received} =
   * {@code answered} + {@code handled} (acted on, no answer by design) + {@code drops.total}.
   * {@code bugs} counts handler exceptions (always 0 unless we have a bug). Call on the verticle's
   * event loop, or ask {@code p2pchat.rendezvous.stats} on the event bus.
   */
  public JsonObject stats() {
    return new JsonObject()
      .put("clients", registry.size())
      .put("received", received)
      .put("answered", answered)
      .put("handled", handled)
      .put("bugs", bugs)
      .put("drops", drops.toJson())
      .put("trackedSources", perSource.size())
      .put("trackedHosts", perHost.size());
  }

  private void onDatagram(DatagramPacket packet) {
    Endpoint from = Endpoint.of(packet.sender());
    Buffer data = packet.data();
    Exchange ex = new Exchange(from, data.length());
    received++;
    try {
      DatagramKind kind = DatagramKind.of(data);
      if (!isRelayFromClient(kind, data, from) && !withinRateLimit(from)) {
        throw new WireException(DropReason.RATE_LIMITED, "over " + options.requestsPerSecond() + " requests/s");
      }
      switch (kind) {
        case PACKET:
          onPacket(ex, data);
          break;
        case STUN:
          answer(ex, StunCodec.bindingResponse(StunCodec.parseBindingRequest(data),
            new InetSocketAddress(from.host(), from.port())), "stun binding response");
          break;
        case PLAIN:
          onPlain(ex, PlainCommand.parse(data));
          break;
        default:
          throw new WireException(DropReason.UNKNOWN_KIND, "first byte " + (data.length() == 0 ? "none" : data.getUnsignedByte(0)));
      }
    } catch (WireException e) {
      drop(ex, e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      // Our bug, not the sender's: keep serving, and say so loudly.
      bugs++;
      drop(ex, DropReason.MALFORMED, "BUG: " + e);
      log.error("BUG handling a datagram from {}", from, e);
    }
    switch (ex.outcome()) {
      case ANSWERED:
        answered++;
        break;
      case HANDLED:
        handled++;
        break;
      case DROPPED:
        break;
      default:
        bugs++;
        drop(ex, DropReason.MALFORMED, "BUG: datagram neither answered, handled nor dropped");
        log.error("BUG: a datagram from {} was neither answered, handled nor dropped", from);
    }
  }

  /** Relay frames of registered clients are budgeted in bytes ({@link RelayBudget}), not in requests. */
  private boolean isRelayFromClient(DatagramKind kind, Buffer data, Endpoint from) {
    return kind == DatagramKind.PACKET && data.length() > 1 && data.getUnsignedByte(1) == PacketType.RELAY.code()
      && registry.byAddress(from) != null;
  }

  private boolean withinRateLimit(Endpoint from) {
    long now = System.nanoTime();
    return perSource.tryAcquire(from, now) && perHost.tryAcquire(from.host(), now);
  }

  private void onPacket(Exchange ex, Buffer data) throws WireException {
    PacketHeader header = PacketCodec.decodeHeader(data);
    if (header.type() == PacketType.RELAY) {
      relay(ex, data);
      return;
    }
    if (header.type() != PacketType.CONTROL) {
      throw new WireException(DropReason.UNKNOWN_TYPE, "packet type " + header.type() + " at the rendezvous");
    }
    JsonObject msg = ControlCodec.decode(data);
    ControlType type = Control.type(msg);
    if (log.isDebugEnabled()) {
      log.debug("in  {} {} ({} bytes)", ex.from, type.wireName(), data.length());
    }
    switch (type) {
      case REGISTER:
        register(ex, msg);
        break;
      case KEEPALIVE:
        keepAlive(ex);
        break;
      case LIST:
        list(ex);
        break;
      case CONNECT:
        connect(ex, Control.matching(msg, Control.NICK, Control.NICK_PATTERN));
        break;
      case BYE:
        bye(ex, msg);
        break;
      default:
        throw new WireException(DropReason.UNKNOWN_TYPE, "control type " + type.wireName() + " at the rendezvous");
    }
  }

  /**
   * First {@code register} (no cookie, or a stale one): answer a {@code challenge} with the cookie
   * of the source address, keeping no state. Second one: the cookie proves the address, the
   * signature proves the key; only then is anything stored.
   */
  private void register(Exchange ex, JsonObject msg) throws WireException {
    if (Control.number(msg, Control.VERSION) != Control.PROTOCOL_VERSION) {
      answer(ex, Control.error("bad-version", "speaks protocol " + Control.PROTOCOL_VERSION));
      return;
    }
    RegisterRequest request = RegisterRequest.parse(msg);
    long nowMillis = System.currentTimeMillis();
    InetSocketAddress source = new InetSocketAddress(ex.from.host(), ex.from.port());
    if (!request.signed() || !cookies.verify(request.cookie(), source, nowMillis)) {
      answer(ex, Control.of(ControlType.CHALLENGE).put(Control.COOKIE, Control.base64(cookies.issue(source, nowMillis))));
      return;
    }
    if (!request.signatureValid()) {
      log.info("bad registration signature for {} from {} (key {})", request.nick(), ex.from,
        NodeIdentity.keyIdOf(request.key()));
      answer(ex, Control.error("bad-signature", "signature does not verify"));
      return;
    }
    Registration held = registry.byNick(request.nick());
    if (directory.clustered() && (held == null || !held.isLocal() || !Arrays.equals(held.key, request.key()))) {
      // The nick must be free cluster-wide (or ours already): ask the shared map, answer when it has.
      ex.handled();
      Endpoint from = ex.from;
      directory.claim(new Member(request.nick(), request.room(), Control.base64(request.key()), request.instance(),
          from, request.local(), 0, directory.self()))
        .onSuccess(v -> admit(null, from, request))
        .onFailure(e -> {
          log.info("refused registration of {} from {} (key {}): {}", request.nick(), from,
            NodeIdentity.keyIdOf(request.key()), e.toString());
          answer(null, from, e instanceof RendezvousDirectory.NickTakenException
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
      log.info("refused registration of {} from {} (key {}): {}", request.nick(), from,
        NodeIdentity.keyIdOf(request.key()), e.getMessage());
      answer(ex, from, Control.error(e.code, e.getMessage()));
      return;
    }
    Registration r = registry.byNick(request.nick());
    answer(ex, from, Control.of(ControlType.REGISTERED)
      .put(Control.NICK, r.nick)
      .put(Control.ROOM, r.room)
      .put(Control.PUBLIC, from.toString())
      .put(Control.RELAY_ID, r.relayId)
      .put(Control.TTL, options.ttlSeconds())
      .put("relay", options.relay()));
    if (outcome == Registry.Outcome.REFRESHED) {
      // A repeated registration (its answer crossed a retry): the introductions already went out.
      return;
    }
    log.info("{} {} in room {} from {} (key {}, local {})", r.nick, outcome == Registry.Outcome.NEW ? "registered" : "moved",
      shortRoom(r.room), from, NodeIdentity.keyIdOf(r.key), r.local);
    directory.announce(ClusterMembers.toMember(r, directory.self()));
    for (Registration peer : registry.room(r.room)) {
      if (peer != r) {
        introduce(ex, r, peer);
      }
    }
  }

  /** Tells both peers about each other at the same moment, with a fresh id and probe secret. */
  private void introduce(Exchange ex, Registration a, Registration b) {
    if (a.orphaned || b.orphaned) {
      // One of them is a client of a departed instance: it hears nothing until it registers again
      // (with another instance), and then both are introduced anew.
      log.info("not introducing {} and {}: {}'s instance left the cluster", a.nick, b.nick, a.orphaned ? a.nick : b.nick);
      if (ex != null) {
        ex.handled();
      }
      return;
    }
    byte[] secret = new byte[INTRO_SECRET_SIZE];
    random.nextBytes(secret);
    String introId = Long.toHexString(random.nextLong());
    String secretText = Base64.getEncoder().encodeToString(secret);
    // Both are registered (validated) addresses: no amplification budget applies.
    tell(ex, a, introduction(introId, secretText, b));
    tell(ex, b, introduction(introId, secretText, a));
    log.info("introduced {} ({}) and {} ({})", a.nick, a.address, b.nick, b.address);
  }

  private static JsonObject introduction(String introId, String secret, Registration peer) {
    return Control.of(ControlType.INTRODUCE)
      .put(Control.INTRO_ID, introId)
      .put(Control.SECRET, secret)
      .put(Control.PEER, new JsonObject()
        .put(Control.NICK, peer.nick)
        .put(Control.KEY, Control.base64(peer.key))
        .put(Control.INSTANCE, peer.instance)
        .put(Control.RELAY_ID, peer.relayId)
        .put(Control.PUBLIC, peer.address.toString())
        .put(Control.LOCAL, Control.toJson(peer.local)));
  }

  private void keepAlive(Exchange ex) throws WireException {
    Registration r = registry.byAddress(ex.from);
    if (r == null) {
      answer(ex, notRegistered());
      return;
    }
    r.lastSeenNanos = System.nanoTime();
    answer(ex, Control.of(ControlType.KEEPALIVE_ACK));
  }

  private void list(Exchange ex) throws WireException {
    Registration r = registry.byAddress(ex.from);
    if (r == null) {
      answer(ex, notRegistered());
      return;
    }
    JsonArray peers = new JsonArray();
    for (Registration peer : registry.room(r.room)) {
      peers.add(new JsonObject().put(Control.NICK, peer.nick).put(Control.ADDRESS, peer.address.toString()));
      if (ControlCodec.encode(Control.of(ControlType.PEERS).put(Control.PEERS, peers), 0).length()
        > PacketCodec.MAX_DATAGRAM - 64) {
        peers.remove(peers.size() - 1);
        break;
      }
    }
    answer(ex, Control.of(ControlType.PEERS).put(Control.PEERS, peers));
  }

  private void connect(Exchange ex, String nick) throws WireException {
    Registration r = registry.byAddress(ex.from);
    Registration peer = registry.byNick(nick);
    if (r == null) {
      answer(ex, notRegistered());
    } else if (peer == null || !peer.room.equals(r.room)) {
      answer(ex, Control.error("unknown-nick", "no " + nick + " in the room"));
    } else if (peer != r) {
      introduce(ex, r, peer);
    } else {
      ex.handled();
    }
  }

  /**
   * A signed {@code bye}: only the holder of the nick's key, in its current process, can end a
   * registration; anything else is dropped without an answer.
   */
  private void bye(Exchange ex, JsonObject msg) throws WireException {
    String nick = Control.matching(msg, Control.NICK, Control.NICK_PATTERN);
    String instance = Control.string(msg, Control.INSTANCE);
    byte[] sig = Control.bytes(msg, Control.SIG, io.p2pchat.crypto.Keys.SIGNATURE_LENGTH);
    Registration r = registry.byNick(nick);
    if (r == null || !r.isLocal() || !r.instance.equals(instance)) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "bye for a registration that does not exist");
    }
    if (!NodeIdentity.verify(r.key, ControlSigning.bye(r.key, nick, instance), sig)) {
      throw new WireException(DropReason.UNAUTHENTICATED, "bye for " + nick + " not signed by its key");
    }
    registry.remove(r);
    directory.depart(ClusterMembers.toMember(r, directory.self()));
    log.info("{} left room {}", r.nick, shortRoom(r.room));
    announceGone(ex, r);
    ex.handled();
  }

  private void expire(long ttlNanos) {
    for (Registration r : registry.expire(System.nanoTime(), ttlNanos)) {
      if (r.isLocal()) {
        directory.depart(ClusterMembers.toMember(r, directory.self()));
      }
      log.info("{} expired (no keep-alive for {} s{})", r.nick, options.ttlSeconds(),
        r.isLocal() ? "" : ", nor a refresh from its instance");
      announceGone(null, r);
    }
    if (directory.clustered()) {
      directory.refresh(registry.local().stream().map(r -> ClusterMembers.toMember(r, directory.self())).toList());
    }
  }

  /** Tells our own clients of the room; each instance of a cluster tells its own. */
  private void announceGone(Exchange ex, Registration gone) {
    for (Registration peer : registry.room(gone.room)) {
      if (peer.isLocal()) {
        answer(ex, peer.address, Control.of(ControlType.GONE).put(Control.NICK, gone.nick));
      }
    }
  }

  /** A control message to a client of ours, or through the instance it is registered with. */
  private void tell(Exchange ex, Registration to, JsonObject msg) {
    if (to.isLocal()) {
      answer(ex, to.address, msg);
    } else {
      directory.deliver(to.owner, to.nick, msg);
    }
  }

  /** How the cluster's news reaches this verticle's socket and clients. */
  private ClusterMembers.Host clusterHost() {
    return new ClusterMembers.Host() {
      @Override
      public void sendControl(Endpoint to, JsonObject message) {
        answer(null, to, message);
      }

      @Override
      public void sendRaw(Endpoint to, Buffer datagram) {
        socket.send(datagram, to.port(), to.host());
      }

      @Override
      public void announceGone(Registration gone) {
        RendezvousVerticle.this.announceGone(null, gone);
      }

      @Override
      public void introduce(Registration local, Registration remote) {
        RendezvousVerticle.this.introduce(null, local, remote);
      }

      @Override
      public void recover(String nick) {
        directory.recover(nick);
      }
    };
  }

  /** Forwards a peer packet between two registered clients of one room, opaque and budgeted. */
  private void relay(Exchange ex, Buffer data) throws WireException {
    long targetId = RelayCodec.relayId(data);
    Registration source = registry.byAddress(ex.from);
    Registration target = registry.byRelayId(targetId);
    if (!options.relay()) {
      throw new WireException(DropReason.RELAY_REFUSED, "relaying is off");
    }
    if (source == null || target == null || !source.room.equals(target.room)) {
      throw new WireException(DropReason.RELAY_REFUSED, "relay between unregistered or unrelated clients");
    }
    if (target.orphaned) {
      throw new WireException(DropReason.RELAY_REFUSED, "relay to " + target.nick + ", whose instance left the cluster");
    }
    if (!source.relayBudget.tryTake(data.length(), System.nanoTime())) {
      throw new WireException(DropReason.RATE_LIMITED, "relay budget of " + source.nick + " spent");
    }
    source.lastSeenNanos = System.nanoTime();
    if (target.isLocal()) {
      socket.send(RelayCodec.rewrite(data, source.relayId), target.address.port(), target.address.host());
    } else {
      directory.relay(target.owner, target.relayId, RelayCodec.rewrite(data, source.relayId));
    }
    ex.handled();
    if (log.isDebugEnabled()) {
      log.debug("relay {} -> {} ({} bytes)", source.nick, target.nick, data.length());
    }
  }

  /**
   * The original design's commands, for anyone with netcat. They show only the public default room
   * (never a private room's members) and, like every answer to an unvalidated source, fit within 3
   * times the request: a user pads the request with spaces to earn a longer page.
   */
  private void onPlain(Exchange ex, PlainCommand command) throws WireException {
    if (!options.plainCommands()) {
      throw new WireException(DropReason.UNKNOWN_KIND, "plain-text commands are off");
    }
    List<Registration> room = registry.room(RendezvousOptions.DEFAULT_ROOM);
    String answer;
    switch (command.verb()) {
      case PUNCH:
        answer = "punched";
        break;
      case LIST:
        int budget = validated(ex.from) ? PacketCodec.MAX_DATAGRAM : Math.min(PacketCodec.MAX_DATAGRAM, ex.budget());
        String page = room.isEmpty() ? (command.argument() == 1 ? "(empty)\n" : PlainListing.NO_SUCH_PAGE)
          : PlainListing.page(room.stream().map(r -> r.nick).toList(), command.argument(), budget);
        if (page == PlainListing.NOTHING_FITS) {
          throw new WireException(DropReason.AMPLIFICATION, "no nick fits " + budget + " bytes; pad the request");
        }
        answer = page.isEmpty() ? "error: no page " + command.argument() + "\n" : page;
        break;
      default:
        answer = command.argument() <= room.size()
          ? room.get(command.argument() - 1).nick + " " + room.get(command.argument() - 1).address + "\n"
          : "error: no peer " + command.argument() + "\n";
    }
    answer(ex, Buffer.buffer(answer.getBytes(StandardCharsets.UTF_8)), "plain " + command.verb().name().toLowerCase());
  }

  private static JsonObject notRegistered() {
    return Control.error("not-registered", "register first");
  }

  /** A registered client's address: proven by a cookie round trip, so any answer size is safe. */
  private boolean validated(Endpoint address) {
    return registry.byAddress(address) != null;
  }

  private void answer(Exchange ex, JsonObject msg) throws WireException {
    answer(ex, ControlCodec.encode(msg, ++counter), msg.getString(Control.TYPE));
  }

  /** Answers the sender of {@code ex} if the answer fits its amplification budget; else nothing is sent. */
  private void answer(Exchange ex, Buffer data, String what) throws WireException {
    if (!ex.mayAnswer(data.length(), validated(ex.from))) {
      throw new WireException(DropReason.AMPLIFICATION,
        what + " of " + data.length() + " bytes exceeds " + Exchange.AMPLIFICATION_FACTOR + "x the " + ex.bytesIn + " received");
    }
    send(data, ex.from, what);
  }

  /** Sends to a registered client (validated), on behalf of {@code ex} (null for timers). */
  private void answer(Exchange ex, Endpoint to, JsonObject msg) {
    if (ex != null && to.equals(ex.from)) {
      ex.mayAnswer(0, true);
    } else if (ex != null) {
      ex.handled();
    }
    send(ControlCodec.encode(msg, ++counter), to, msg.getString(Control.TYPE));
  }

  private void send(Buffer data, Endpoint to, String what) {
    if (log.isDebugEnabled()) {
      log.debug("out {} {} ({} bytes)", to, what, data.length());
    }
    socket.send(data, to.port(), to.host());
  }

  private void drop(Exchange ex, DropReason reason, String detail) {
    drops.count(reason);
    ex.dropped();
    log.warnRateLimited(reason.label(), "dropped {} bytes from {}: {} ({})", ex.bytesIn, ex.from, reason.label(), detail);
  }

  /** One INFO line with the drops since the last one, if there were any: a flood never floods the log. */
  private void logDrops() {
    JsonObject now = drops.toJson();
    if (now.getLong("total") == dropsLogged.getLong("total", 0L)) {
      return;
    }
    JsonObject delta = new JsonObject();
    now.forEach(e -> delta.put(e.getKey(), ((Number) e.getValue()).longValue() - dropsLogged.getLong(e.getKey(), 0L)));
    log.info("dropped since the last report: {} (limiter tracks {} sources, {} hosts)", delta.encode(),
      perSource.size(), perHost.size());
    dropsLogged = now;
  }

  /** A secret room's id is 64 hex digits: its first 8 tell rooms apart in a log line. */
  private static String shortRoom(String room) {
    return room.length() > 16 ? room.substring(0, 8) + "…" : room;
  }
}
