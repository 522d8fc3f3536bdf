package io.p2pchat.rendezvous;

import io.p2pchat.node.ConfigLoader;
import io.p2pchat.node.NodeLog;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlCodec;
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
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The rendezvous server: registers clients, introduces peers of a room to each other (both at
 * once, so they punch simultaneously), expires silent clients, relays opaque peer packets when
 * punching fails, and answers STUN Binding requests and the original plain-text commands.
 * It never sees what people say: relayed packets are forwarded byte for byte, never parsed or logged.
 */
public class RendezvousVerticle extends VerticleBase {

  /** How often silent registrations are looked for; a quarter TTL keeps expiry within 25% late. */
  private static final long EXPIRY_SWEEPS_PER_TTL = 4;
  /** Bytes of random secret per introduction: the key of the peers' probe MACs. */
  private static final int INTRO_SECRET_SIZE = 32;

  private RendezvousOptions options;
  private NodeLog log;
  private DatagramSocket socket;
  private Registry registry;
  private final DropCounters drops = new DropCounters();
  private final SecureRandom random = new SecureRandom();
  private long counter;
  private long expiryTimer;
  private int port;

  @Override
  public Future<?> start() {
    return ConfigLoader.load(vertx, config(), RendezvousOptions.KEYS)
      .map(RendezvousOptions::new)
      .compose(opts -> {
        options = opts;
        log = NodeLog.of(RendezvousVerticle.class, "rendezvous", opts.logDir());
        registry = new Registry(opts.maxClients(), opts.relayBytesPerSecond());
        socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(4 << 20));
        socket.handler(this::onDatagram);
        return socket.listen(opts.port(), opts.host());
      })
      .onSuccess(s -> {
        port = s.localAddress().port();
        long ttlNanos = TimeUnit.SECONDS.toNanos(options.ttlSeconds());
        expiryTimer = vertx.setPeriodic(Math.max(100, TimeUnit.NANOSECONDS.toMillis(ttlNanos / EXPIRY_SWEEPS_PER_TTL)),
          id -> expire(ttlNanos));
        vertx.eventBus().consumer("p2pchat.rendezvous.stats", msg -> msg.reply(stats()));
        log.info("rendezvous listening on {}:{} (ttl {} s, relay {})", options.host(), port,
          options.ttlSeconds(), options.relay() ? "on" : "off");
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(expiryTimer);
    if (log != null) {
      log.info("rendezvous shutting down ({} clients registered)", registry.size());
    }
    return socket == null ? Future.succeededFuture() : socket.close();
  }

  /** The UDP port this server listens on (useful with port 0). */
  public int port() {
    return port;
  }

  /** Clients registered and datagrams dropped, by reason. */
  public JsonObject stats() {
    return new JsonObject().put("clients", registry.size()).put("drops", drops.toJson());
  }

  private void onDatagram(DatagramPacket packet) {
    Endpoint from = Endpoint.of(packet.sender());
    Buffer data = packet.data();
    try {
      switch (DatagramKind.of(data)) {
        case PACKET:
          onPacket(from, data);
          break;
        case STUN:
          send(StunCodec.bindingResponse(StunCodec.parseBindingRequest(data),
            new java.net.InetSocketAddress(from.host(), from.port())), from, "stun binding response");
          break;
        case PLAIN:
          onPlain(from, PlainCommand.parse(data));
          break;
        default:
          throw new WireException(DropReason.UNKNOWN_KIND, "first byte " + (data.length() == 0 ? "none" : data.getUnsignedByte(0)));
      }
    } catch (WireException e) {
      drop(from, e.reason(), e.getMessage(), data.length());
    } catch (RuntimeException e) {
      // Our bug, not the sender's: keep serving, and say so loudly.
      drop(from, DropReason.MALFORMED, "BUG: " + e, data.length());
      log.error("BUG handling a datagram from {}", from, e);
    }
  }

  private void onPacket(Endpoint from, Buffer data) throws WireException {
    PacketHeader header = PacketCodec.decodeHeader(data);
    if (header.type() == PacketType.RELAY) {
      relay(from, data);
      return;
    }
    if (header.type() != PacketType.CONTROL) {
      throw new WireException(DropReason.UNKNOWN_TYPE, "packet type " + header.type() + " at the rendezvous");
    }
    JsonObject msg = ControlCodec.decode(data);
    ControlType type = Control.type(msg);
    if (log.isDebugEnabled()) {
      log.debug("in  {} {} ({} bytes)", from, type.wireName(), data.length());
    }
    switch (type) {
      case REGISTER:
        register(from, msg);
        break;
      case KEEPALIVE:
        keepAlive(from);
        break;
      case LIST:
        list(from);
        break;
      case CONNECT:
        connect(from, Control.matching(msg, Control.NICK, Control.NICK_PATTERN));
        break;
      case BYE:
        bye(from);
        break;
      default:
        throw new WireException(DropReason.UNKNOWN_TYPE, "control type " + type.wireName() + " at the rendezvous");
    }
  }

  private void register(Endpoint from, JsonObject msg) throws WireException {
    if (Control.number(msg, Control.VERSION) != Control.PROTOCOL_VERSION) {
      reply(from, Control.error("bad-version", "this rendezvous speaks protocol " + Control.PROTOCOL_VERSION));
      return;
    }
    String nick = Control.matching(msg, Control.NICK, Control.NICK_PATTERN);
    String room = Control.matching(msg, Control.ROOM, Control.ROOM_PATTERN);
    String token = Control.string(msg, Control.TOKEN);
    String instance = Control.string(msg, "instance");
    List<Endpoint> local = Control.endpoints(msg, Control.LOCAL);
    Registry.Outcome outcome;
    try {
      outcome = registry.register(nick, room, token, instance, from, local, System.nanoTime());
    } catch (RegistryException e) {
      log.info("refused registration of {} from {}: {}", nick, from, e.getMessage());
      reply(from, Control.error(e.code, e.getMessage()));
      return;
    }
    Registration r = registry.byNick(nick);
    reply(from, Control.of(ControlType.REGISTERED)
      .put(Control.NICK, nick)
      .put(Control.ROOM, room)
      .put(Control.PUBLIC, from.toString())
      .put(Control.RELAY_ID, r.relayId)
      .put(Control.TTL, options.ttlSeconds())
      .put("relay", options.relay()));
    if (outcome == Registry.Outcome.REFRESHED) {
      // A repeated registration (its answer crossed a retry): the introductions already went out.
      return;
    }
    log.info("{} {} in room {} from {} (local {})", nick, outcome == Registry.Outcome.NEW ? "registered" : "moved",
      room, from, local);
    for (Registration peer : registry.room(room)) {
      if (peer != r) {
        introduce(r, peer);
      }
    }
  }

  /** Tells both peers about each other at the same moment, with a fresh id and probe secret. */
  private void introduce(Registration a, Registration b) {
    byte[] secret = new byte[INTRO_SECRET_SIZE];
    random.nextBytes(secret);
    String introId = Long.toHexString(random.nextLong());
    String secretText = Base64.getEncoder().encodeToString(secret);
    reply(a.address, introduction(introId, secretText, b));
    reply(b.address, introduction(introId, secretText, a));
    log.info("introduced {} ({}) and {} ({})", a.nick, a.address, b.nick, b.address);
  }

  private static JsonObject introduction(String introId, String secret, Registration peer) {
    return Control.of(ControlType.INTRODUCE)
      .put(Control.INTRO_ID, introId)
      .put(Control.SECRET, secret)
      .put(Control.PEER, new JsonObject()
        .put(Control.NICK, peer.nick)
        .put("instance", peer.instance)
        .put(Control.RELAY_ID, peer.relayId)
        .put(Control.PUBLIC, peer.address.toString())
        .put(Control.LOCAL, Control.toJson(peer.local)));
  }

  private void keepAlive(Endpoint from) {
    Registration r = registry.byAddress(from);
    if (r == null) {
      reply(from, Control.error("not-registered", "register first"));
      return;
    }
    r.lastSeenNanos = System.nanoTime();
    reply(from, Control.of(ControlType.KEEPALIVE_ACK));
  }

  private void list(Endpoint from) {
    Registration r = registry.byAddress(from);
    if (r == null) {
      reply(from, Control.error("not-registered", "register first"));
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
    reply(from, Control.of(ControlType.PEERS).put(Control.PEERS, peers));
  }

  private void connect(Endpoint from, String nick) {
    Registration r = registry.byAddress(from);
    Registration peer = registry.byNick(nick);
    if (r == null) {
      reply(from, Control.error("not-registered", "register first"));
    } else if (peer == null || !peer.room.equals(r.room)) {
      reply(from, Control.error("unknown-nick", "no " + nick + " in room " + r.room));
    } else if (peer != r) {
      introduce(r, peer);
    }
  }

  private void bye(Endpoint from) {
    Registration r = registry.byAddress(from);
    if (r != null) {
      registry.remove(r);
      log.info("{} left room {}", r.nick, r.room);
      announceGone(r);
    }
  }

  private void expire(long ttlNanos) {
    for (Registration r : registry.expire(System.nanoTime(), ttlNanos)) {
      log.info("{} expired (no keep-alive for {} s)", r.nick, options.ttlSeconds());
      announceGone(r);
    }
  }

  private void announceGone(Registration gone) {
    for (Registration peer : registry.room(gone.room)) {
      reply(peer.address, Control.of(ControlType.GONE).put(Control.NICK, gone.nick));
    }
  }

  /** Forwards a peer packet between two registered clients of one room, opaque and budgeted. */
  private void relay(Endpoint from, Buffer data) throws WireException {
    long targetId = RelayCodec.relayId(data);
    Registration source = registry.byAddress(from);
    Registration target = registry.byRelayId(targetId);
    if (!options.relay()) {
      throw new WireException(DropReason.RELAY_REFUSED, "relaying is off");
    }
    if (source == null || target == null || !source.room.equals(target.room)) {
      throw new WireException(DropReason.RELAY_REFUSED, "relay between unregistered or unrelated clients");
    }
    if (!source.relayBudget.tryTake(data.length(), System.nanoTime())) {
      throw new WireException(DropReason.RATE_LIMITED, "relay budget of " + source.nick + " spent");
    }
    source.lastSeenNanos = System.nanoTime();
    socket.send(RelayCodec.rewrite(data, source.relayId), target.address.port(), target.address.host());
    if (log.isDebugEnabled()) {
      log.debug("relay {} -> {} ({} bytes)", source.nick, target.nick, data.length());
    }
  }

  private void onPlain(Endpoint from, PlainCommand command) {
    if (!options.plainCommands()) {
      drop(from, DropReason.UNKNOWN_KIND, "plain-text commands are off", 0);
      return;
    }
    List<Registration> room = registry.room(RendezvousOptions.DEFAULT_ROOM);
    String answer;
    switch (command.verb()) {
      case PUNCH:
        answer = "punched";
        break;
      case LIST:
        String page = PlainListing.page(room.stream().map(r -> r.nick).toList(), command.argument(),
          PacketCodec.MAX_DATAGRAM);
        answer = page == null ? "error: no page " + command.argument() + "\n"
          : page.isEmpty() ? "(nobody in " + RendezvousOptions.DEFAULT_ROOM + ")\n" : page;
        break;
      default:
        answer = command.argument() <= room.size()
          ? room.get(command.argument() - 1).nick + " " + room.get(command.argument() - 1).address + "\n"
          : "error: no peer " + command.argument() + " (list shows " + room.size() + ")\n";
    }
    send(Buffer.buffer(answer), from, "plain " + command.verb().name().toLowerCase());
  }

  private void reply(Endpoint to, JsonObject msg) {
    send(ControlCodec.encode(msg, ++counter), to, msg.getString(Control.TYPE));
  }

  private void send(Buffer data, Endpoint to, String what) {
    if (log.isDebugEnabled()) {
      log.debug("out {} {} ({} bytes)", to, what, data.length());
    }
    socket.send(data, to.port(), to.host());
  }

  private void drop(Endpoint from, DropReason reason, String detail, int length) {
    drops.count(reason);
    log.warnRateLimited(reason.label(), "dropped {} bytes from {}: {} ({})", length, from, reason.label(), detail);
  }
}
