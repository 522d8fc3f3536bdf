package io.p2pchat.rendezvous;

import io.p2pchat.common.RateLimiter;
import io.p2pchat.wire.DatagramKind;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;

/**
 * What a source may ask of the rendezvous and what it may be sent, in one place: requests per
 * source {@code ip:port} and per source ip, an IPv6 source's /64 ({@link RateLimiter}), the anti-amplification budget of
 * answers to sources that are not registered clients ({@link Exchange}), and each client's relay
 * bytes ({@link RelayBudget}). Each check throws the {@link WireException} the datagram is dropped
 * with. Runs on the verticle's event loop, like the {@link Registry} it asks who is registered.
 */
final class Limits {

  /**
   * Acks a registered client may send at once besides its requests: one for every message the
   * rendezvous may have outstanding for it ({@link Retransmits#DEFAULT_MAX_PER_CLIENT}), so a client
   * joining a room of that many acks every introduction at once, and none comes twice.
   */
  static final int ACK_BURST = Retransmits.DEFAULT_MAX_PER_CLIENT;
  /**
   * Acks per second, steady, besides its requests: a client is told things no faster than members
   * join or leave its room, and {@link PairPacing} bounds each pair to one introduction per 5 s.
   */
  static final int ACKS_PER_SECOND = 64;
  /**
   * Mailbox messages ({@code deposit} parts, {@code mail-ack}, {@code notice-ack}) a registered client may
   * send per second besides its requests and acks: the largest envelope's 98 parts in a tenth of a second,
   * a backlog of short messages at about the rate the store commits them (thousands a second); what is
   * deposited is bounded by the mailbox's quotas, not by this.
   */
  static final int MAILBOX_PER_SECOND = 1000;
  /** Burst of mailbox messages: two of the largest envelopes' parts, and a window of 32 {@code mail-ack}s. */
  static final int MAILBOX_BURST = 2 * io.p2pchat.wire.MailboxControl.MAX_PARTS + 32;

  private final Registry registry;
  private final RateLimiter perSource;
  private final RateLimiter perHost;
  /** A registered client's sealed control, before it is opened: its requests and its acks together. */
  private final RateLimiter perClient;
  /** A registered client's mailbox messages, once opened: their own allowance, so a deposit never starves a keep-alive. */
  private final RateLimiter perClientMailbox;
  private final int requestsPerSecond;
  private final RelayBudget relayBudget;
  /**
   * The ip a source's per-ip bucket is keyed by: a stream connection's real remote ip, else the source's own
   * ({@link Endpoint#networkKey}: an IPv6 source's /64), as a number: no text made per datagram.
   */
  private final java.util.function.ToLongFunction<Endpoint> hostOf;

  Limits(RendezvousOptions options, Registry registry) {
    this(options, registry, Endpoint::networkKey);
  }

  Limits(RendezvousOptions options, Registry registry, java.util.function.ToLongFunction<Endpoint> hostOf) {
    this.registry = registry;
    this.hostOf = hostOf;
    this.perSource = new RateLimiter(options.requestsPerSecond(), options.requestBurst(), options.maxTrackedSources());
    this.perHost = new RateLimiter(options.requestsPerSecondPerHost(), options.requestBurstPerHost(),
      options.maxTrackedSources());
    this.perClient = new RateLimiter(options.requestsPerSecond() + ACKS_PER_SECOND + MAILBOX_PER_SECOND,
      options.requestBurst() + ACK_BURST + MAILBOX_BURST, options.maxTrackedSources());
    this.perClientMailbox = new RateLimiter(MAILBOX_PER_SECOND, MAILBOX_BURST, options.maxTrackedSources());
    this.requestsPerSecond = options.requestsPerSecond();
    this.relayBudget = new RelayBudget(options.relayBytesPerSecond());
  }

  /**
   * Takes one request at {@code nowNanos} from {@code from}'s buckets (its {@code ip:port}, then its ip). Relay frames
   * of registered clients are budgeted in bytes instead ({@link #takeRelay}), not in requests. A registered
   * client's sealed control is only taken from its client bucket here, requests and acks alike: whether it
   * is an ack is known once it is opened, and only then is a request taken from the request buckets
   * ({@link #takeOpenedRequest}), so a client's acks never starve its requests nor its room's.
   *
   * @return false when the request buckets are still to be charged, once the datagram is opened
   * @throws WireException {@link DropReason#RATE_LIMITED} when a bucket is empty
   */
  boolean takeRequest(DatagramKind kind, Buffer data, Endpoint from, long nowNanos) throws WireException {
    if (isRelayFromClient(kind, data, from)) {
      return true;
    }
    if (kind == DatagramKind.CONTROL && registry.byAddress(from) != null) {
      if (!perClient.tryAcquire(from, nowNanos)) {
        throw new WireException(DropReason.RATE_LIMITED, "over " + (requestsPerSecond + ACKS_PER_SECOND + MAILBOX_PER_SECOND)
          + " control datagrams/s of a client");
      }
      return false;
    }
    takeOpenedRequest(from, nowNanos);
    return true;
  }

  /**
   * Takes one request from {@code from}'s request buckets: a client's opened control message that is not an
   * {@code ack} (those have their own allowance in the client bucket).
   *
   * @throws WireException {@link DropReason#RATE_LIMITED} when a bucket is empty
   */
  void takeOpenedRequest(Endpoint from, long nowNanos) throws WireException {
    if (!withinRateLimit(from, nowNanos)) {
      throw new WireException(DropReason.RATE_LIMITED, "over " + requestsPerSecond + " requests/s");
    }
  }

  /**
   * Takes one mailbox message of a registered client from its mailbox allowance (not from its request buckets).
   *
   * @throws WireException {@link DropReason#RATE_LIMITED} when the allowance is spent
   */
  void takeMailbox(Endpoint from, long nowNanos) throws WireException {
    if (!perClientMailbox.tryAcquire(from, nowNanos)) {
      throw new WireException(DropReason.RATE_LIMITED, "over " + MAILBOX_PER_SECOND + " mailbox messages/s of a client");
    }
  }

  /**
   * Records an answer of {@code bytes} to the sender of {@code ex}: any size to a registered client,
   * else at most {@link Exchange#AMPLIFICATION_FACTOR} times what it sent.
   *
   * @param what names the answer in the drop's detail
   * @throws WireException {@link DropReason#AMPLIFICATION} when it does not fit; nothing may be sent then
   */
  void takeAnswer(Exchange ex, int bytes, String what) throws WireException {
    if (!ex.mayAnswer(bytes, validated(ex.from))) {
      throw new WireException(DropReason.AMPLIFICATION,
        what + " of " + bytes + " bytes exceeds " + Exchange.AMPLIFICATION_FACTOR + "x the " + ex.bytesIn + " received");
    }
  }

  /** The most bytes an answer to the sender of {@code ex} may take: a datagram to a client, else its budget. */
  int answerBytes(Exchange ex) {
    return validated(ex.from) ? PacketCodec.MAX_DATAGRAM : Math.min(PacketCodec.MAX_DATAGRAM, ex.budget());
  }

  /**
   * Takes {@code bytes} from the relay budget of {@code source}.
   *
   * @throws WireException {@link DropReason#RATE_LIMITED} when the budget is spent
   */
  void takeRelay(Registration source, int bytes, long nowNanos) throws WireException {
    if (!relayBudget.tryTake(source, bytes, nowNanos)) {
      throw new WireException(DropReason.RATE_LIMITED, "relay budget of " + source.nick + " spent");
    }
  }

  /** Source {@code ip:port}s the per-source limiter remembers. */
  int trackedSources() {
    return perSource.size();
  }

  /** Source ips (IPv6: /64s) the per-host limiter remembers. */
  int trackedHosts() {
    return perHost.size();
  }

  private boolean isRelayFromClient(DatagramKind kind, Buffer data, Endpoint from) {
    return kind == DatagramKind.PACKET && data.length() > 1 && data.getUnsignedByte(1) == PacketType.RELAY.code()
      && registry.byAddress(from) != null;
  }

  private boolean withinRateLimit(Endpoint from, long nowNanos) {
    return perSource.tryAcquire(from, nowNanos) && perHost.tryAcquire(hostOf.applyAsLong(from), nowNanos);
  }

  /** A registered client's address: proven by a cookie round trip, so any answer size is safe. */
  private boolean validated(Endpoint address) {
    return registry.byAddress(address) != null;
  }
}
