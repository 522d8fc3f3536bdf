package io.p2pchat.rendezvous;

import io.micrometer.core.instrument.Tags;
import io.p2pchat.metrics.Meters;
import io.p2pchat.rendezvous.mailbox.Mailbox;
import io.p2pchat.wire.DropReason;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * The rendezvous's meters (README, "Monitoring"), read at each scrape from the counts its parts keep
 * already: nothing is counted twice. Every tag comes from an enum: never a nick, an address or a key.
 * Event-loop confined: the scrape runs on the verticle's event loop (its HTTP server's context).
 */
final class RendezvousMetrics {

  /**
   * How often the mailbox's figures are asked for: its store counts on its own context and answers a
   * Future, which a gauge cannot wait for. Well under Prometheus's default 15 s scrape interval, so a
   * scrape is at most this stale.
   */
  static final long MAILBOX_REFRESH_MS = 5_000;
  private static final String PREFIX = "p2pchat.rendezvous.";

  /** What became of a control-channel datagram that was not a message: a bounded label set. */
  enum Handshake {
    /** Answered with a cookie: the sender must prove its address first. */
    COOKIE,
    /** Answered with the handshake's response: a session is established. */
    COMPLETED,
    /** Answered a RESUME with a RESUMED: a session resumed from a ticket, without public-key work. */
    RESUMED,
    /** Answered with a reset (an unknown or expired session). */
    RESET,
    /** Did not open (malformed, not authenticated, replayed): dropped and counted by reason too. */
    REJECTED
  }

  private final Vertx vertx;
  private final Meters meters;
  /** The mailbox, or null when it is off (known at {@link #register}). */
  private Mailbox mailbox;
  private final EnumCounts<Handshake> handshakes = new EnumCounts<>(Handshake.class);
  private JsonObject mailboxFigures = new JsonObject();
  private long mailboxTimer = -1;

  RendezvousMetrics(Vertx vertx, Meters meters) {
    this.vertx = vertx;
    this.meters = meters;
  }

  /**
   * The handshake counts the verticle keeps as it opens control datagrams: a reply's
   * {@link ControlChannel.Opened#outcome()}, or {@link Handshake#REJECTED}.
   */
  EnumCounts<Handshake> handshakes() {
    return handshakes;
  }

  /** Registers every meter; the parts must exist (after the verticle wired its handlers). */
  void register(Registry registry, Mailbox mailbox, RegisterHandler register, ControlChannel channel, Introductions introductions,
                RelayForwarder relay, DropReport drops) {
    this.mailbox = mailbox;
    meters.gauge(PREFIX + "registrations", "Clients registered at this instance", Tags.empty(), registry, Registry::size);
    for (RegisterHandler.Outcome outcome : RegisterHandler.Outcome.values()) {
      meters.counter(PREFIX + "register.requests", "Register requests by outcome", tag("outcome", outcome),
        register.outcomes(), c -> c.get(outcome));
    }
    for (Handshake outcome : Handshake.values()) {
      meters.counter(PREFIX + "handshakes", "Control-channel handshake datagrams by outcome", tag("outcome", outcome),
        handshakes, c -> c.get(outcome));
    }
    meters.gauge(PREFIX + "control.sessions", "Control-channel sessions held (pending ones included)", Tags.empty(),
      channel, ControlChannel::sessions);
    meters.counter(PREFIX + "introductions", "Pairs of clients introduced to each other", Tags.empty(),
      introductions, Introductions::introductionsSent);
    for (RelayForwarder.Transport transport : RelayForwarder.Transport.values()) {
      meters.counter(PREFIX + "relay.packets", "Peer packets relayed, by the transport they arrived on",
        tag("transport", transport), relay.packets(), c -> c.get(transport));
      meters.counter(PREFIX + "relay.bytes", "Bytes of relayed peer packets, by the transport they arrived on",
        tag("transport", transport), relay.bytes(), c -> c.get(transport));
    }
    for (DropReason reason : DropReason.values()) {
      meters.counter(PREFIX + "drops", "Datagrams dropped, by reason", Tags.of("reason", reason.label()),
        drops, d -> d.count(reason));
    }
    meters.counter(PREFIX + "answer.budget.refusals",
      "Answers not sent because they would exceed 3 times what an unvalidated source sent", Tags.empty(),
      drops, d -> d.count(DropReason.AMPLIFICATION));
    meters.gauge(PREFIX + "cluster.members", "Rendezvous instances in the cluster (1 when alone)", Tags.empty(),
      vertx, RendezvousMetrics::clusterMembers);
    if (mailbox != null) {
      meters.gauge(PREFIX + "mailbox.messages", "Messages held in the mailbox", Tags.empty(), this,
        m -> m.mailboxFigures.getLong("messages", 0L));
      meters.gauge(PREFIX + "mailbox.bytes", "Bytes of the messages held in the mailbox", Tags.empty(), this,
        m -> m.mailboxFigures.getLong("bytes", 0L));
      refreshMailbox();
      mailboxTimer = vertx.setPeriodic(MAILBOX_REFRESH_MS, id -> refreshMailbox());
    }
  }

  private void refreshMailbox() {
    mailbox.stats().onSuccess(figures -> mailboxFigures = figures);
  }

  private static double clusterMembers(Vertx vertx) {
    return vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodes().size() : 1;
  }

  private static Tags tag(String key, Enum<?> value) {
    return Tags.of(key, value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
  }

  /** Removes the meters and stops refreshing the mailbox's figures. */
  void close() {
    vertx.cancelTimer(mailboxTimer);
    meters.removeAll();
  }
}
