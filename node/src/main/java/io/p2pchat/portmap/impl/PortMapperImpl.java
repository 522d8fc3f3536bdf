package io.p2pchat.portmap.impl;

import io.p2pchat.common.NodeLog;
import io.p2pchat.portmap.Mapping;
import io.p2pchat.portmap.PortMapper;
import io.p2pchat.portmap.PortMapperOptions;
import io.p2pchat.portmap.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The port mapper's state machine (Tailscale's portmapper, reduced to one UDP port):
 * <pre>
 *   IDLE ──start──▶ PROBING ──a protocol mapped──▶ MAPPED ──half the lease──▶ RENEWING ──renewed──▶ MAPPED
 *                     │  ▲                           │                          │
 *                     │  └──── gateway or our address changed, renewal failed ──┘
 *                     └──nothing answered or mapped──▶ FAILED ──{@link #REPROBE_AFTER_FAILURE_MS}, or a network change──▶ PROBING
 *   any ──stop──▶ STOPPED (the mapping deleted at the gateway first)
 * </pre>
 * Every change goes through {@link #transition}. A probe asks NAT-PMP (external address), PCP (ANNOUNCE) and
 * UPnP (SSDP, then the description) at once; the first of PCP, NAT-PMP, UPnP that answered and maps wins
 * (PCP and NAT-PMP are one round trip, carry a lease, and are what gateways that speak them prefer). Results
 * of an attempt overtaken by a newer one ({@link #attempt}) are ignored. Lives on one event loop.
 */
public final class PortMapperImpl implements PortMapper {

  /** The states; their lower-case names are what {@code /netcheck} shows. */
  enum State { IDLE, PROBING, MAPPED, RENEWING, FAILED, STOPPED, DISABLED }

  /** Which protocol is tried first when several answered: PCP, then NAT-PMP, then UPnP. */
  static final List<Protocol> PREFERENCE = List.of(Protocol.PCP, Protocol.NATPMP, Protocol.UPNP);
  /** How often the default gateway and our address are read again: a moved laptop is noticed within this. */
  static final long NETWORK_CHECK_MS = 10_000;
  /** After nothing answered: asked again this much later (a gateway restarted, UPnP turned on). */
  static final long REPROBE_AFTER_FAILURE_MS = 5 * 60_000;
  /** The earliest renewal, whatever lease a gateway grants: a gateway granting seconds must not make us spin. */
  static final long MIN_RENEW_MS = 30_000;
  /** Deleting the mapping on stop waits at most this: shutdown never hangs on a gateway that went away. */
  static final long STOP_TIMEOUT_MS = 1500;

  private final Vertx vertx;
  private final PortMapperOptions options;
  private final NodeLog log;
  private final Counters counters;
  private final PmpPcpClient pmpPcp;
  private final UpnpClient upnp;
  private Handler<Mapping> mappingHandler = m -> { };

  private State state = State.IDLE;
  private String why = "";
  private int internalPort;
  private DefaultGateway network;
  private Set<Protocol> answered = EnumSet.noneOf(Protocol.class);
  private String natPmpExternal;
  private IgdDescription igd;
  private Mapping mapping;
  /** The external port we had: asked for again after a renewal failure or a network change. */
  private int previousExternalPort;
  private long attempt;
  private long mappedAtMillis;
  private long probeStartedNanos;
  private long lastProbeMillis = -1;

  /** Named timers: renew at half the lease; re-read the network; probe again after a failure. */
  private long renewTimer = -1;
  private long networkTimer = -1;
  private long reprobeTimer = -1;

  public PortMapperImpl(Vertx vertx, PortMapperOptions options, NodeLog log) {
    this.vertx = vertx;
    this.options = options;
    this.log = Objects.requireNonNull(log);
    this.counters = new Counters(log);
    this.pmpPcp = new PmpPcpClient(vertx, counters);
    this.upnp = new UpnpClient(vertx, counters);
  }

  @Override
  public PortMapper mappingHandler(Handler<Mapping> handler) {
    this.mappingHandler = Objects.requireNonNull(handler);
    return this;
  }

  @Override
  public Future<Void> start(int udpPort) {
    if (!options.enabled()) {
      transition(State.DISABLED, "portMapping: false");
      return Future.succeededFuture();
    }
    internalPort = udpPort;
    networkTimer = vertx.setPeriodic(NETWORK_CHECK_MS, id -> checkNetwork());
    return probe("start");
  }

  @Override
  public Mapping mapping() {
    return mapping;
  }

  @Override
  public JsonObject status() {
    JsonArray protocols = new JsonArray();
    answered.forEach(p -> protocols.add(p.wireName()));
    JsonObject out = new JsonObject().put("state", state.name().toLowerCase())
      .put("reason", why)
      .put("gateway", network == null ? null : network.gateway())
      .put("answered", protocols)
      .put("probeMillis", lastProbeMillis)
      .put("dropped", counters.dropped());
    if (mapping != null) {
      out.put("mapping", mapping.toJson());
    }
    return out;
  }

  @Override
  public Future<Void> stop() {
    vertx.cancelTimer(renewTimer);
    vertx.cancelTimer(networkTimer);
    vertx.cancelTimer(reprobeTimer);
    attempt++;
    Mapping held = mapping;
    DefaultGateway net = network;
    State before = state;
    transition(State.STOPPED, "node stopping");
    mapping = null;
    Future<Void> delete = held == null || net == null ? Future.succeededFuture()
      : deleteAt(held, net).timeout(STOP_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .onSuccess(v -> log.info("port mapping: deleted {} {} at {}", held.protocol().wireName(), held.external(),
          net.gateway()))
        .recover(e -> {
          log.info("port mapping: could not delete {} {} ({}); it expires with its lease", held.protocol().wireName(),
            held.external(), e.getMessage());
          return Future.succeededFuture();
        });
    if (before == State.DISABLED) {
      return Future.succeededFuture();
    }
    return delete.eventually(() -> pmpPcp.close()).eventually(() -> upnp.close()).recover(e -> Future.succeededFuture());
  }

  // ---------------------------------------------------------------- the state machine

  /** The one place the state changes, with the reason logged. */
  private void transition(State next, String reason) {
    if (state == State.STOPPED) {
      return;
    }
    if (next != state) {
      log.info("port mapping: {} -> {} ({})", state.name().toLowerCase(), next.name().toLowerCase(), reason);
    }
    state = next;
    why = reason;
  }

  /** PROBING: find the gateway (file I/O: off the event loop), ask every enabled protocol at once, map with the best. */
  private Future<Void> probe(String reason) {
    long mine = ++attempt;
    vertx.cancelTimer(reprobeTimer);
    vertx.cancelTimer(renewTimer);
    transition(State.PROBING, reason);
    probeStartedNanos = System.nanoTime();
    return vertx.executeBlocking(DefaultGateway::find, false).compose(net -> {
      if (mine != attempt) {
        return Future.succeededFuture();
      }
      if (net == null) {
        fail(mine, "no IPv4 default gateway");
        return Future.succeededFuture();
      }
      network = net;
      return pmpPcp.open(net.gateway()).compose(v -> askAll(mine, net));
    }).recover(e -> {
      fail(mine, e.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> askAll(long mine, DefaultGateway net) {
    long timeout = options.probeTimeoutMs();
    Inet4Address local = PcpCodec.ipv4(net.local());
    Set<Protocol> enabled = options.protocols();
    Future<String> pmp = enabled.contains(Protocol.NATPMP) ? pmpPcp.probeNatPmp(timeout) : Future.failedFuture("off");
    Future<Void> pcp = enabled.contains(Protocol.PCP) ? pmpPcp.probePcp(local, timeout) : Future.failedFuture("off");
    Future<IgdDescription> ig = enabled.contains(Protocol.UPNP) ? upnp.probe(net.gateway(), timeout)
      : Future.failedFuture("off");
    return Future.join(pmp, pcp, ig).otherwiseEmpty().compose(x -> {
      if (mine != attempt) {
        return Future.succeededFuture();
      }
      Set<Protocol> found = EnumSet.noneOf(Protocol.class);
      if (pmp.succeeded()) {
        found.add(Protocol.NATPMP);
        natPmpExternal = pmp.result();
      } else if (pmpPcp.answeredLate(Protocol.NATPMP)) {
        found.add(Protocol.NATPMP);
        natPmpExternal = pmpPcp.lateExternal();
      }
      if (pcp.succeeded() || pmpPcp.answeredLate(Protocol.PCP)) {
        found.add(Protocol.PCP);
      }
      if (ig.succeeded()) {
        found.add(Protocol.UPNP);
        igd = ig.result();
      }
      answered = found;
      lastProbeMillis = (System.nanoTime() - probeStartedNanos) / 1_000_000;
      log.info("port mapping: gateway {} answered {} in {} ms", net.gateway(), found.isEmpty() ? "none" : found,
        lastProbeMillis);
      List<Protocol> order = new ArrayList<>(PREFERENCE);
      order.retainAll(found);
      return mapWithFirst(mine, net, order, "");
    });
  }

  /** Tries the protocols of {@code order} in turn until one maps; FAILED when none does. */
  private Future<Void> mapWithFirst(long mine, DefaultGateway net, List<Protocol> order, String errors) {
    if (order.isEmpty()) {
      fail(mine, errors.isEmpty() ? "no port-mapping protocol answered" : errors);
      return Future.succeededFuture();
    }
    Protocol p = order.get(0);
    int suggested = previousExternalPort > 0 ? previousExternalPort : internalPort;
    return request(p, net, suggested, false).compose(m -> {
      if (mine == attempt) {
        mapped(m, "mapped by " + p.wireName());
      }
      return Future.<Void>succeededFuture();
    }, e -> mine != attempt ? Future.succeededFuture()
      : mapWithFirst(mine, net, order.subList(1, order.size()), errors + (errors.isEmpty() ? "" : "; ") + e.getMessage()));
  }

  private Future<Mapping> request(Protocol p, DefaultGateway net, int suggestedPort, boolean renew) {
    long lease = options.leaseSeconds();
    switch (p) {
      case PCP:
        return pmpPcp.mapPcp(PcpCodec.ipv4(net.local()), internalPort, suggestedPort,
          mapping == null ? null : mapping.externalHost(), lease, renew);
      case NATPMP:
        return pmpPcp.mapNatPmp(natPmpExternal, internalPort, suggestedPort, lease);
      default:
        return upnp.map(igd, net.local(), internalPort, suggestedPort, lease);
    }
  }

  /** MAPPED: remember it, tell the handler when it is news, arm the renewal at half the lease. */
  private void mapped(Mapping m, String reason) {
    boolean news = !m.equals(mapping) && (mapping == null || !m.external().equals(mapping.external())
      || m.protocol() != mapping.protocol());
    mapping = m;
    previousExternalPort = m.externalPort();
    mappedAtMillis = System.currentTimeMillis();
    transition(State.MAPPED, reason + " as " + m.external() + " for " + m.lifetimeSeconds() + " s");
    if (m.lifetimeSeconds() > 0) {
      long renewIn = Math.max(MIN_RENEW_MS, m.lifetimeSeconds() * 1000 / 2);
      renewTimer = vertx.setTimer(renewIn, id -> renew());
    }
    if (news) {
      mappingHandler.handle(m);
    }
  }

  /** RENEWING: the same protocol and external port again; a failure starts a whole new probe. */
  private void renew() {
    if (state != State.MAPPED || mapping == null) {
      return;
    }
    long mine = ++attempt;
    transition(State.RENEWING, "half the lease of " + mapping.lifetimeSeconds() + " s passed");
    request(mapping.protocol(), network, mapping.externalPort(), true).onComplete(ar -> {
      if (mine != attempt) {
        return;
      }
      if (ar.succeeded()) {
        mapped(ar.result(), "renewed by " + ar.result().protocol().wireName());
      } else {
        probe("renewal failed: " + ar.cause().getMessage());
      }
    });
  }

  /** FAILED: no mapping (the handler hears of a lost one); probe again later. */
  private void fail(long mine, String reason) {
    if (mine != attempt) {
      return;
    }
    lastProbeMillis = (System.nanoTime() - probeStartedNanos) / 1_000_000;
    lose();
    transition(State.FAILED, reason);
    reprobeTimer = vertx.setTimer(REPROBE_AFTER_FAILURE_MS, id -> probe("probing again after a failure"));
  }

  private void lose() {
    if (mapping != null) {
      mapping = null;
      mappingHandler.handle(null);
    }
  }

  /** The named periodic {@code networkTimer}: a new gateway or a new address of ours means a new probe. */
  private void checkNetwork() {
    if (state == State.STOPPED || state == State.PROBING) {
      return;
    }
    vertx.executeBlocking(DefaultGateway::find, false).onSuccess(net -> {
      if (state == State.STOPPED || Objects.equals(net, network)) {
        return;
      }
      String reason = "network changed: " + (network == null ? "none" : network) + " -> " + (net == null ? "none" : net);
      lose();
      probe(reason);
    });
  }

  private Future<Void> deleteAt(Mapping held, DefaultGateway net) {
    if (held.protocol() == Protocol.UPNP) {
      return igd == null ? Future.succeededFuture() : upnp.delete(igd, held);
    }
    return pmpPcp.delete(PcpCodec.ipv4(net.local()), held);
  }
}
