package io.p2pchat.rendezvous;

import io.p2pchat.common.ConfigException;
import io.p2pchat.common.ConfigLoader;
import io.p2pchat.common.DualStackSocket;
import io.p2pchat.common.NodeLog;
import io.p2pchat.common.Plural;
import io.p2pchat.control.ControlServer;
import io.p2pchat.rendezvous.cluster.ClusterTicketKeys;
import io.p2pchat.control.RendezvousIdentity;
import io.p2pchat.crypto.SecureFiles;
import io.p2pchat.metrics.Meters;
import io.p2pchat.metrics.MetricsServer;
import io.p2pchat.rendezvous.cluster.RendezvousDirectory;
import io.p2pchat.rendezvous.mailbox.ClusteredMailbox;
import io.p2pchat.rendezvous.mailbox.Mailbox;
import io.p2pchat.rendezvous.mailbox.MailboxKey;
import io.p2pchat.rendezvous.mailbox.MailboxOptions;
import io.p2pchat.rendezvous.mailbox.MailboxStore;
import io.p2pchat.rendezvous.tls.StreamEndpoints;
import io.p2pchat.rendezvous.tls.TlsCertificate;
import io.p2pchat.rendezvous.tls.TlsSettings;
import io.p2pchat.rendezvous.tls.WebSocketIngress;
import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketHeader;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.StreamEndpoint;
import io.p2pchat.wire.WireException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
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
 *
 * <p>This class keeps the lifecycle, the socket and the demux; each command has its own handler
 * (vertx-stomp's shape): {@link RegisterHandler}, {@link KeepAliveHandler}, {@link ListHandler},
 * {@link ConnectHandler}, {@link ByeHandler}; relay frames go to {@link RelayForwarder}, STUN to
 * {@link StunResponder}, plain text to {@link PlainCommandHandler}. Control datagrams are opened by
 * the {@link ControlChannel} before dispatch and everything sent leaves through the {@link Outbox};
 * {@link Introductions} tells rooms who arrived and left, {@link Limits} holds every rate limit and
 * answer budget, {@link Expiry} ends silent registrations, {@link DropReport} counts what is dropped.
 * Clients whose network blocks UDP reach the same demux over a WebSocket in TLS
 * ({@link WebSocketIngress}, package {@code io.p2pchat.rendezvous.tls}): each connection is a synthetic
 * address in 100::/64, and the {@link Outbox} writes what is sent to one to its WebSocket.
 */
public class RendezvousVerticle extends VerticleBase {

  /** The log file NodeLog writes in {@code logDir} for the logger named "rendezvous". */
  private static final String LOG_FILE = "rendezvous.log";
  /** The shortest delay a Vert.x timer takes, and the rounding added so a timer never fires before its deadline. */
  private static final long MIN_TIMER_MS = 1;

  private RendezvousOptions options;
  private NodeLog log;
  /** The IPv4 and the IPv6 socket (docs/PROTOCOL.md, "Sockets"). */
  private DualStackSocket socket;
  private Registry registry;
  /** The other instances of a cluster ({@code -cluster}); alone, a no-op. */
  private RendezvousDirectory directory = RendezvousDirectory.local();
  private Limits limits;
  private ControlChannel channel;
  /** The control channel's handshakes run here, off the event loop (bounded). */
  private HandshakeWorkers handshakeWorkers;
  /** The long-term key clients pin: loaded from, or created in, {@code dataDir} at start. */
  private RendezvousIdentity identity;
  /** The HTTPS listener's certificate, or null when {@code tls.port} is -1. */
  private TlsCertificate certificate;
  /** The WebSocket transport, or null when TLS is off. */
  private WebSocketIngress ingress;
  private int tlsPort = RendezvousOptions.TLS_OFF;
  private Outbox outbox;
  private DropReport drops;
  private Introductions introductions;
  private HostCandidates hostCandidates;
  private RegisterHandler register;
  private ControlHandler keepAlive;
  private ControlHandler list;
  private ControlHandler connect;
  private ControlHandler bye;
  private ControlHandler ack;
  private AltAddressHandler alt;
  private PortmapHandler portmap;
  private DatagramHandler relay;
  private DatagramHandler stun;
  private DatagramHandler plain;
  private Expiry expiry;
  /** The mailbox (issue 17), or null when {@code mailbox} is false. */
  private Mailbox mailbox;
  private final MailboxCounters mailboxCounters = new MailboxCounters();
  /** The pick-up sender; null when the mailbox is off. */
  private MailboxDelivery delivery;
  private MailboxExpiry mailboxExpiry;
  private DepositHandler deposit;
  private MailboxAckHandler mailboxAck;
  private long mailboxExpiryTimer = -1;
  /** {@code /metrics}, {@code /health}, {@code /ready}; null unless {@code metrics.port} is set. */
  private MetricsServer metricsServer;
  private RendezvousMetrics metrics;
  /** What {@code /ready} asks: each step of start-up done. */
  private boolean mailboxOpen;
  private boolean clusterJoined;
  private boolean socketBound;
  private long received;
  private long answered;
  private long handled;
  private long bugs;
  private long expiryTimer;
  /** The resumption ticket keys (a file's, or the cluster's), rotated; null before start. */
  private TicketKeyRotation ticketKeys;
  private long reportTimer;
  /** The one retransmission timer ({@link Introductions}), armed at the earliest deadline; -1 when none. */
  private long retransmitTimer = -1;
  private long retransmitAt = Long.MAX_VALUE;
  private int port;

  @Override
  public Future<?> start() {
    return ConfigLoader.load(config(), RendezvousOptions.KEYS)
      .map(RendezvousOptions::new)
      .compose(opts -> vertx.executeBlocking(() -> prepareFiles(opts)))
      .compose(opts -> {
        options = opts;
        log = NodeLog.of(RendezvousVerticle.class, "rendezvous", opts.logDir());
        registry = new Registry(opts.maxClients(), opts.maxClientsPerHost());
        drops = new DropReport(log);
        socket = DualStackSocket.create(vertx, log);
        // First: /health answers, and /ready says not ready, while the rest starts.
        return startMetrics();
      })
      .compose(v -> vertx.executeBlocking(() -> RendezvousIdentity.loadOrCreate(options.keyFile())))
      .compose(id -> TicketKeyRotation.start(vertx, vertx.isClustered() ? new ClusterTicketKeys(vertx)
        : new FileTicketKeys(vertx, Path.of(options.dataDir())), log).map(rotation -> {
          ticketKeys = rotation;
          return id;
        }))
      .compose(id -> {
        identity = id;
        MailboxOptions mailboxOptions = options.mailbox();
        // The store before any datagram: a deposit is only ever answered by an open store. Clustered: held
        // by two instances before it is acknowledged (ClusteredMailbox).
        return mailboxOptions == null ? Future.<Mailbox>succeededFuture(null)
          : vertx.isClustered() ? ClusteredMailbox.open(vertx, Path.of(options.dataDir()), mailboxOptions, log).<Mailbox>map(m -> m)
          : MailboxStore.open(vertx, Path.of(options.dataDir()), mailboxOptions, log).<Mailbox>map(m -> m);
      })
      .compose(store -> {
        mailbox = store;
        mailboxOpen = true;
        TlsSettings tls = options.tls();
        return tls.enabled()
          ? vertx.executeBlocking(() -> TlsCertificate.loadOrCreate(tls, commonName(tls.host())))
          : Future.<TlsCertificate>succeededFuture(null);
      })
      .compose(cert -> {
        certificate = cert;
        RendezvousIdentity id = identity;
        StreamEndpoints streams = StreamEndpoints.none();
        if (cert != null) {
          ingress = new WebSocketIngress(vertx, options.tls(), cert, this::onDatagram,
            endpoint -> registry.byAddress(endpoint) != null, log);
          streams = ingress;
        }
        limits = new Limits(options, registry, streams::hostOf);
        // A session per client at most, pending ones included: as many as registrations, and a margin
        // for clients between a handshake and their registration (never fewer than the library's default).
        handshakeWorkers = new HandshakeWorkers(vertx, options.handshakeThreads(), options.handshakeQueue());
        SealedControlChannel sealed = new SealedControlChannel(id,
          Math.max(ControlServer.DEFAULT_MAX_SESSIONS, 2 * options.maxClients()),
          cert == null ? null : cert.binding(), ticketKeys, handshakeWorkers);
        sealed.logTo(log);
        channel = sealed;
        int[] impair = options.impairment();
        outbox = new Outbox(socket, streams, channel, limits, log, new ControlLoss(impair[0], impair[1], impair[2],
          options.impairDropFirstMail()));
        RendezvousOptions opts = options;
        // The directory first: no datagram is served before the cluster's view is loaded and the
        // handlers are wired to it.
        return RendezvousDirectory.create(vertx, TimeUnit.SECONDS.toMillis(opts.ttlSeconds()),
          new ClusterMembers(registry, clusterHost(), log), log);
      })
      .compose(d -> {
        directory = d;
        clusterJoined = true;
        wire();
        if (metrics != null) {
          metrics.register(registry, mailbox, (RegisterHandler) register, channel, introductions, (RelayForwarder) relay, drops);
        }
        socket.handler(this::onDatagram);
        return socket.listen(options.port(), options.host(), options.host6())
          .recover(e -> directory.close().transform(closed -> Future.<DualStackSocket>failedFuture(e)));
      })
      .compose(s -> {
        port = s.localAddress().port();
        socketBound = true;
        // The UDP socket first: a WebSocket's datagrams go through the same demux and answers.
        return ingress == null ? Future.succeededFuture(RendezvousOptions.TLS_OFF) : ingress.listen()
          .recover(e -> directory.close().eventually(socket::close).transform(closed -> Future.<Integer>failedFuture(e)));
      })
      .onSuccess(tls -> {
        tlsPort = tls;
        expiryTimer = vertx.setPeriodic(expiry.intervalMillis(), id -> {
          long now = System.nanoTime();
          expiry.sweep(now);
          channel.sweep(now);
          if (delivery != null) {
            delivery.sweep();
          }
          if (ingress != null) {
            ingress.sweep(now);
          }
        });
        reportTimer = vertx.setPeriodic(DropReport.INTERVAL_MS, id -> report());
        if (mailboxExpiry != null) {
          mailboxExpiry.run();
          mailboxExpiryTimer = vertx.setPeriodic(mailboxExpiry.intervalMillis(), id -> mailboxExpiry.run());
        }
        // The mailbox's store counts on its own context (the same event loop): its figures are asked for.
        vertx.eventBus().consumer("p2pchat.rendezvous.stats", msg -> (mailbox == null
          ? Future.succeededFuture(new JsonObject()) : mailbox.stats())
          .onComplete(store -> {
            JsonObject stats = stats();
            stats.getJsonObject("mailbox").put("store", store.succeeded() ? store.result() : new JsonObject());
            msg.reply(stats);
          }));
        log.info("rendezvous listening on {} (ttl {} s, relay {}, {} requests/s per source)", socket.describe(),
          options.ttlSeconds(), options.relay() ? "on" : "off", options.requestsPerSecond());
        log.info("rendezvous mailbox {}", mailbox == null ? "off (mailbox: false): deposits are refused not-enabled"
          : "on, " + Path.of(options.dataDir(), options.mailbox().getFile()).toAbsolutePath() + " " + options.mailbox().toJson().encode());
        log.info("rendezvous key {} (fingerprint {}, file {})", identity.publicKeyText(), identity.fingerprint(),
          options.keyFile().toAbsolutePath());
        // Logs go to the file only: one line on the terminal tells whoever started it that it is up.
        System.out.println("* rendezvous listening on UDP " + socket.describe() + (vertx.isClustered()
          ? " (cluster member)" : "") + "; log " + Path.of(options.logDir(), LOG_FILE));
        System.out.println("* rendezvous key " + identity.publicKeyText() + " (fingerprint " + identity.fingerprint()
          + "): clients pin it on first use, or set it as rendezvous.key");
        if (metricsServer != null) {
          System.out.println("* rendezvous metrics on http://" + options.metrics().getHost() + ":"
            + metricsServer.actualPort() + "/metrics (/health, /ready)");
        }
        if (ingress != null) {
          String origin = certificate.created() ? "self-signed, created now" : options.tls().configuredCertificate()
            ? "configured" : "self-signed";
          log.info("rendezvous TLS on {}:{}, WebSocket {} (certificate {}, {}, fingerprint {})", options.tls().host(),
            tlsPort, WebSocketIngress.PATH, certificate.source().toAbsolutePath(), origin, certificate.fingerprint());
          System.out.println("* rendezvous TLS on " + options.tls().host() + ":" + tlsPort + " (WebSocket "
            + WebSocketIngress.PATH + "); certificate " + origin + ", SHA-256 fingerprint " + certificate.fingerprint());
        }
      })
      // A failed start is not stopped: the metrics listener would outlive it.
      .onFailure(e -> {
        if (metricsServer != null) {
          metricsServer.close();
        }
      });
  }

  /**
   * Starts the metrics listener when {@code metrics.port} is set; {@code /ready} holds once the mailbox
   * store is open (when on), the cluster joined (when clustered) and the UDP socket bound.
   */
  private Future<Void> startMetrics() {
    if (!options.metrics().enabled()) {
      return Future.succeededFuture();
    }
    metricsServer = MetricsServer.create(vertx, options.metrics())
      .readiness("udp-socket", () -> socketBound);
    if (options.mailbox() != null) {
      metricsServer.readiness("mailbox", () -> mailboxOpen);
    }
    if (vertx.isClustered()) {
      metricsServer.readiness("cluster", () -> clusterJoined);
    }
    metrics = new RendezvousMetrics(vertx, new Meters(metricsServer.registry()));
    return metricsServer.listen().map(server -> {
      log.info("rendezvous metrics on http://{}:{}/metrics (/health, /ready)", options.metrics().getHost(),
        server.actualPort());
      return null;
    });
  }

  /** A self-signed certificate names the configured host, or {@code p2pchat-rendezvous} for a wildcard address. */
  private static String commonName(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.isBlank() ? "p2pchat-rendezvous" : host;
  }

  /**
   * BLOCKING (a worker runs it). The data and log directories owner-only (0700) and the log file
   * owner-only (0600) before the logging library first writes it, as a node's: the log names every
   * client's addresses and nick, and the data directory holds the private key and TLS key. One that
   * others may write stops start-up with one line saying how to fix it; one they may only read is kept,
   * with a WARN line saying how to close it.
   */
  private static RendezvousOptions prepareFiles(RendezvousOptions options) {
    List<String> warnings;
    try {
      warnings = SecureFiles.prepareOwnerOnly(Path.of(options.dataDir()), Path.of(options.logDir()),
        Path.of(options.logDir(), LOG_FILE));
    } catch (IOException e) {
      throw new ConfigException(e.getMessage());
    }
    NodeLog startLog = NodeLog.of(RendezvousVerticle.class, "rendezvous", options.logDir());
    warnings.forEach(warning -> startLog.warn("{}", warning));
    return options;
  }

  /**
   * Our client holding {@code key}, registered here: the registration at the address its control session
   * speaks from (no index by key: the session already knows where the client is), or null.
   */
  private Registration registeredHere(MailboxKey key) {
    byte[] raw = key.raw();
    Endpoint at = channel.addressOf(raw);
    Registration r = at == null ? null : registry.byAddress(at);
    return r != null && r.isLocal() && Arrays.equals(r.key, raw) ? r : null;
  }

  /** Gives each command its handler, once the directory is known. */
  private void wire() {
    introductions = new Introductions(registry, directory, outbox, new Retransmits(), this::retransmitAt, log);
    hostCandidates = new HostCandidates(options.lanRanges());
    if (mailbox != null) {
      delivery = new MailboxDelivery(mailbox, registry, outbox, this::retransmitAt, mailboxCounters, log,
        this::registeredHere);
      mailboxExpiry = new MailboxExpiry(mailbox, options.mailbox(), delivery, log);
      if (mailbox instanceof ClusteredMailbox clustered) {
        // Deposits and expiry notices made at other instances, for clients registered here.
        clustered.arrivalHandler(delivery::deposited).noticeHandler(delivery::noticesFor);
      }
    }
    MailboxDelivery pickUp = delivery;
    deposit = new DepositHandler(registry, outbox, mailbox, options.mailbox(), pickUp, mailboxCounters);
    mailboxAck = new MailboxAckHandler(registry, outbox, pickUp);
    register = new RegisterHandler(options, registry, directory, introductions, hostCandidates, outbox, log,
      (key, from) -> channel.answeredAt(key, from), pickUp == null ? RegisterHandler.PickUp.NONE : pickUp::registered);
    keepAlive = new KeepAliveHandler(registry, introductions, outbox, r -> {
      if (pickUp != null) {
        pickUp.keepAlive(r);
      }
    });
    ack = new AckHandler(registry, introductions, outbox);
    alt = new AltAddressHandler(registry, introductions, outbox, log);
    portmap = new PortmapHandler(log, registry, outbox, introductions::introduceToRoom);
    list = new ListHandler(registry, outbox);
    connect = new ConnectHandler(registry, introductions, outbox);
    bye = new ByeHandler(registry, directory, introductions, log);
    relay = new RelayForwarder(options.relay(), registry, directory, limits, outbox, log);
    stun = new StunResponder(outbox);
    plain = new PlainCommandHandler(options.plainCommands(), registry, limits, outbox);
    expiry = new Expiry(options.ttlSeconds(), registry, directory, introductions, log);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(expiryTimer);
    vertx.cancelTimer(reportTimer);
    vertx.cancelTimer(retransmitTimer);
    vertx.cancelTimer(mailboxExpiryTimer);
    if (ticketKeys != null) {
      ticketKeys.stop();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (log != null) {
      report();
      log.info("rendezvous shutting down ({} registered)", Plural.of(registry.size(), "client"));
    }
    return (metricsServer == null ? Future.<Void>succeededFuture() : metricsServer.close())
      .eventually(directory::close)
      .eventually(() -> ingress == null ? Future.succeededFuture() : ingress.close())
      .eventually(() -> socket == null ? Future.succeededFuture() : socket.close())
      // The workers before the channel: a handshake still on one completes into a session first, so the channel's
      // close wipes its keys too.
      .eventually(() -> handshakeWorkers == null ? Future.succeededFuture() : handshakeWorkers.close())
      .eventually(() -> {
        if (channel != null) {
          channel.close(); // nothing arrives any more: every control session's keys are wiped
        }
        return Future.succeededFuture();
      })
      // Last: the deposits accepted before the socket closed are committed, then the database closed.
      .eventually(() -> mailbox == null ? Future.succeededFuture() : mailbox.close());
  }

  /** Arms the retransmission timer at {@code deadline} unless it is armed earlier already. */
  private void retransmitAt(long deadline) {
    if (deadline == Long.MAX_VALUE || (retransmitTimer != -1 && retransmitAt - deadline <= 0)) {
      return;
    }
    vertx.cancelTimer(retransmitTimer);
    retransmitAt = deadline;
    // Whole milliseconds, rounded up (a timer that fires early finds nothing due); Vert.x takes 1 ms at least.
    long delayMs = Math.max(MIN_TIMER_MS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + MIN_TIMER_MS);
    retransmitTimer = vertx.setTimer(delayMs, id -> {
      retransmitTimer = -1;
      retransmitAt = Long.MAX_VALUE;
      long now = System.nanoTime();
      introductions.retransmit(now);
      if (delivery != null) {
        delivery.retransmit(now);
      }
    });
  }

  /** The long-term key clients pin (null before start completed). */
  public RendezvousIdentity identity() {
    return identity;
  }

  /** The UDP port this server listens on (useful with port 0). */
  public int port() {
    return port;
  }

  /** The UDP port of the IPv6 socket: {@link #port()} where it was free; -1 when IPv6 is off. */
  public int port6() {
    return socket == null || socket.localAddress6() == null ? -1 : socket.localAddress6().port();
  }

  /** The port of {@code /metrics}, {@code /health} and {@code /ready}, or -1 when {@code metrics.port} is unset. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.actualPort();
  }

  /** The HTTPS (WebSocket) port, or -1 when TLS is off. */
  public int tlsPort() {
    return tlsPort;
  }

  /** The certificate the HTTPS listener serves (null when TLS is off, or before start completed). */
  public TlsCertificate certificate() {
    return certificate;
  }

  /**
   * Clients registered, and what became of every datagram received: {@code received} =
   * {@code answered} + {@code handled} (acted on, no answer by design) + {@code drops.total} +
   * {@code deferred} (handshakes whose public-key work is still running on a worker: answered or
   * dropped when it is done).
   * {@code bugs} counts handler exceptions (always 0 unless we have a bug). Call on the verticle's
   * event loop, or ask {@code p2pchat.rendezvous.stats} on the event bus.
   */
  public JsonObject stats() {
    return new JsonObject()
      .put("clients", registry.size())
      .put("received", received)
      .put("answered", answered)
      .put("handled", handled)
      .put("deferred", handshakeWorkers.inFlight())
      .put("bugs", bugs)
      .put("controlSessions", channel.sessions())
      .put("handshakes", new JsonObject().put("inFlight", handshakeWorkers.inFlight())
        .put("mostInFlight", handshakeWorkers.mostInFlight()).put("submitted", handshakeWorkers.submitted())
        .put("refused", handshakeWorkers.refused()))
      .put("reliable", introductions.stats().mergeIn(outbox.impairment()))
      .put("drops", drops.toJson())
      .put("hostCandidatesDropped", hostCandidates.toJson())
      .put("altValidated", alt.validated())
      .put("portmapTaken", portmap.taken())
      .put("trackedSources", limits.trackedSources())
      .put("trackedHosts", limits.trackedHosts())
      .put("tlsConnections", ingress == null ? 0 : ingress.connections())
      .put("tls", ingress == null ? new JsonObject() : ingress.stats())
      .put("mailbox", delivery == null ? mailboxCounters.toJson(0, 0, 0).put("enabled", false)
        : delivery.toJson().put("enabled", true).put("assembling", deposit.assembling()));
  }

  private void onDatagram(DatagramPacket packet) {
    // The channel's instance of a client's address: one Endpoint object per client in every map.
    onDatagram(channel.canonical(Endpoint.of(packet.sender())), packet.data(), false);
  }

  /** A binary message of a WebSocket connection: a datagram from its synthetic endpoint. */
  private void onDatagram(Endpoint from, Buffer data) {
    onDatagram(from, data, true);
  }

  private void onDatagram(Endpoint from, Buffer data, boolean stream) {
    Exchange ex = new Exchange(from, data.length());
    received++;
    try {
      if (!stream && StreamEndpoint.is(from)) {
        // RFC 6666's discard-only prefix is never routed, and it names our WebSocket connections.
        throw new WireException(DropReason.MALFORMED, "a UDP datagram from 100::/64, the stream connections' prefix");
      }
      DatagramKind kind = DatagramKind.of(data);
      boolean charged = limits.takeRequest(kind, data, from, System.nanoTime());
      switch (kind) {
        case PACKET:
          onPacket(ex, data);
          break;
        case CONTROL:
          onControl(ex, data, charged);
          break;
        case STUN:
          stun.handle(ex, data);
          break;
        case PLAIN:
          plain.handle(ex, data);
          break;
        default:
          throw new WireException(DropReason.UNKNOWN_KIND, "first byte " + (data.length() == 0 ? "none" : data.getUnsignedByte(0)));
      }
    } catch (WireException e) {
      drops.drop(ex, e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      // Our bug, not the sender's: keep serving, and say so loudly.
      bugs++;
      drops.drop(ex, DropReason.MALFORMED, "BUG: " + e);
      log.error("BUG handling a datagram from {}", from, e);
    }
    if (!ex.wasDeferred()) {
      // A deferred one is counted by answerLater alone: its work may even have finished already (a future
      // completed before onComplete was registered runs its handler at once), and counting here too made
      // answered + handled + dropped exceed received (TlsBoundsTest, HandshakeFloodTest at load).
      count(ex);
    }
  }

  /** Counts what became of a datagram, once its outcome is known (a deferred one's when its handshake is done). */
  private void count(Exchange ex) {
    Endpoint from = ex.from;
    switch (ex.outcome()) {
      case DEFERRED:
        break; // counted when its handshake's work is done (answerLater)
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
        drops.drop(ex, DropReason.MALFORMED, "BUG: datagram neither answered, handled nor dropped");
        log.error("BUG: a datagram from {} was neither answered, handled nor dropped", from);
    }
  }

  private void onPacket(Exchange ex, Buffer data) throws WireException {
    PacketHeader header = PacketCodec.decodeHeader(data);
    if (header.type() == PacketType.RELAY) {
      relay.handle(ex, data);
      return;
    }
    if (header.type() == PacketType.CONTROL) {
      // Protocol 1's cleartext control, trusted by source address: never acted on any more.
      throw new WireException(DropReason.UNAUTHENTICATED, "unsealed control (an old client? protocol "
        + Control.PROTOCOL_VERSION + " seals control)");
    }
    throw new WireException(DropReason.UNKNOWN_TYPE, "packet type " + header.type() + " at the rendezvous");
  }

  /**
   * A datagram of the sealed control channel: a handshake message, or a control message to dispatch.
   * {@code charged}: the request rate limit was taken already; else (a registered client's) it is taken
   * now, unless the message is an {@code ack} (acks have their own allowance: {@link Limits#ACK_BURST}).
   */
  private void onControl(Exchange ex, Buffer data, boolean charged) throws WireException {
    // The one spot where a control datagram is opened and authenticated.
    ControlChannel.Opened opened;
    try {
      opened = channel.open(ex.from, data);
    } catch (WireException e) {
      if (metrics != null) {
        metrics.handshakes().count(RendezvousMetrics.Handshake.REJECTED);
      }
      throw e;
    }
    if (opened.later() != null) {
      if (!charged) {
        limits.takeOpenedRequest(ex.from, System.nanoTime());
      }
      ex.deferred();
      opened.later().onComplete(done -> answerLater(ex, done));
      return;
    }
    if (opened.reply() != null) {
      answerHandshake(ex, opened, charged);
      return;
    }
    JsonObject msg = opened.message();
    ControlType type = Control.type(msg);
    boolean mailboxMessage = type == ControlType.DEPOSIT || type == ControlType.MAIL_ACK || type == ControlType.NOTICE_ACK;
    if (!charged && mailboxMessage) {
      limits.takeMailbox(ex.from, System.nanoTime());
    } else if (!charged && type != ControlType.ACK) {
      limits.takeOpenedRequest(ex.from, System.nanoTime());
    }
    if (log.isDebugEnabled()) {
      log.debug("in  {} {} ({} bytes)", ex.from, type.wireName(), data.length());
    }
    switch (type) {
      case REGISTER:
        register.handleSealed(ex, msg, opened.key());
        break;
      case KEEPALIVE:
        keepAlive.handle(ex, msg);
        break;
      case LIST:
        list.handle(ex, msg);
        break;
      case CONNECT:
        connect.handle(ex, msg);
        break;
      case BYE:
        bye.handle(ex, msg);
        break;
      case ACK:
        ack.handle(ex, msg);
        break;
      case ALT:
        alt.onAlt(ex, opened.key());
        break;
      case ALT_CONFIRM:
        alt.handle(ex, msg);
        break;
      case PORTMAP:
        portmap.handle(ex, msg);
        break;
      case DEPOSIT:
        deposit.handle(ex, msg, opened.key());
        break;
      case MAIL_ACK:
      case NOTICE_ACK:
        mailboxAck.handle(ex, msg, opened.key());
        break;
      default:
        throw new WireException(DropReason.UNKNOWN_TYPE, "control type " + type.wireName() + " at the rendezvous");
    }
  }

  /** Answers a handshake datagram (a cookie, a response, a reset) with the channel's reply. */
  private void answerHandshake(Exchange ex, ControlChannel.Opened opened, boolean charged) throws WireException {
    if (metrics != null) {
      metrics.handshakes().count(opened.outcome());
    }
    if (!charged) {
      limits.takeOpenedRequest(ex.from, System.nanoTime());
    }
    outbox.answer(ex, opened.reply(), opened.what());
  }

  /**
   * A handshake whose public-key work ran on a worker is done (back on this event loop): its response is
   * answered, or it is dropped and counted (refused: a replay, a failed handshake); then the datagram counted.
   */
  private void answerLater(Exchange ex, AsyncResult<ControlChannel.Opened> done) {
    try {
      if (done.succeeded()) {
        answerHandshake(ex, done.result(), true);
      } else if (done.cause() instanceof WireException e) {
        if (metrics != null) {
          metrics.handshakes().count(RendezvousMetrics.Handshake.REJECTED);
        }
        drops.drop(ex, e.reason(), e.getMessage());
      } else {
        throw new IllegalStateException(done.cause());
      }
    } catch (WireException e) {
      drops.drop(ex, e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      bugs++;
      drops.drop(ex, DropReason.MALFORMED, "BUG: " + e);
      log.error("BUG answering a handshake of {}", ex.from, e);
    }
    count(ex);
  }

  /** The periodic INFO summaries: datagrams dropped, and registrations (one line each, when there were any). */
  private void report() {
    drops.report(limits.trackedSources(), limits.trackedHosts());
    if (register != null) {
      register.report(registry.size());
    }
  }

  /**
   * How the cluster's news reaches this verticle's socket and clients. The cluster's news can come
   * while the directory is still loading, before {@link #wire}: no client of ours is registered
   * then (the socket does not listen yet), so there is nobody to introduce or tell.
   */
  private ClusterMembers.Host clusterHost() {
    return new ClusterMembers.Host() {
      @Override
      public void sendControl(Endpoint to, JsonObject message) {
        // An introduction or departure from another instance: sent reliably to our client, like our own.
        Registration client = registry.byAddress(to);
        if (introductions != null && client != null) {
          introductions.tellLocal(null, client, message);
        } else {
          outbox.tell(null, to, message);
        }
      }

      @Override
      public void sendRaw(Endpoint to, Buffer datagram) {
        outbox.forward(to, datagram);
      }

      @Override
      public void announceGone(Registration gone) {
        if (introductions != null) {
          introductions.announceGone(null, gone);
        }
      }

      @Override
      public void introduce(Registration local, Registration remote) {
        if (introductions != null) {
          introductions.introduce(null, local, remote);
        }
      }

      @Override
      public void recover(String nick) {
        directory.recover(nick);
      }
    };
  }
}
