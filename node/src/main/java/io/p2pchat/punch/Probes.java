package io.p2pchat.punch;

import io.p2pchat.common.NodeLog;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.Probe;
import io.p2pchat.wire.ProbeCodec;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The probe exchange ({@code punch} / {@code punched}, sealed with the introduction's secret):
 * sends the punches the path machines ask for, answers the peers' punches where they came from,
 * and hands verified probes to the session's path. Lives on PunchVerticle's event loop only.
 */
final class Probes {

  /** Address put in a punched answered through the relay, where the real one is the server's business. */
  private static final Endpoint UNSPECIFIED = new Endpoint("0.0.0.0", 0);

  private final NodeLog log;
  private final PeerTable peers;
  private final PeerTransport transport;
  private final SessionTimers timers;
  private final PeerEvents events;
  private final ProbePacer pacer = new ProbePacer();
  private long probeCounter;

  Probes(NodeLog log, PeerTable peers, PeerTransport transport, SessionTimers timers, PeerEvents events) {
    this.log = log;
    this.peers = peers;
    this.transport = transport;
    this.timers = timers;
    this.events = events;
  }

  /** A PROBE packet from {@code from} ({@link Candidate#VIA_RELAY} when relayed). */
  void onProbe(Endpoint from, Buffer data, long now) throws WireException {
    long introId = ProbeCodec.introId(data);
    PeerSession session = peers.byIntro(introId);
    byte[] secret = session == null ? null : session.secretFor(introId);
    if (secret == null) {
      throw new WireException(DropReason.UNKNOWN_SESSION, "probe of an unknown introduction");
    }
    Probe probe = ProbeCodec.decode(data, secret);
    if (probe.senderIndex() != 0) {
      session.remoteIndex = probe.senderIndex();
    }
    if (log.isDebugEnabled()) {
      log.debug("in  {} {} from {} tx {}", from, probe.kind(), session.nick, probe.txId());
    }
    if (probe.kind() == Probe.Kind.PUNCH && !session.path.mayLearnFrom(from)) {
      throw new WireException(DropReason.PEER_REFLEXIVE_CAP, "punch of " + session.nick + " from a "
        + (PeerPath.MAX_PEER_REFLEXIVE + 1) + "th new address");
    }
    if (probe.kind() == Probe.Kind.PUNCH) {
      // Answers go where the packets come from: that is what makes a peer-reflexive address work.
      Endpoint observed = from.equals(Candidate.VIA_RELAY) ? UNSPECIFIED : from;
      send(session, from, ProbeCodec.encode(
        new Probe(Probe.Kind.PUNCHED, session.introId, probe.txId(), session.localIndex, observed),
        ++probeCounter, session.secret), now);
      session.path.onPunch(from, now);
    } else {
      session.path.onPunched(probe.txId(), from, now);
      events.stateIfRttMoved(session, now);
    }
    timers.touched(session);
  }

  /** Sends a {@code punch} with transaction id {@code txId} to {@code to}, as the session's path machine asked. */
  void sendPunch(PeerSession session, Endpoint to, long txId) {
    if (log.isDebugEnabled()) {
      log.debug("out {} PUNCH to {} tx {}", to, session.nick, txId);
    }
    send(session, to, ProbeCodec.encode(
      new Probe(Probe.Kind.PUNCH, session.introId, txId, session.localIndex, null), ++probeCounter, session.secret),
      System.nanoTime());
  }

  /** Probes not sent, by reason ({@link ProbePacer}). */
  JsonObject pacedStats() {
    return pacer.toJson();
  }

  /** Sends a probe unless the pacer says no: the relay's are the server's to budget, every other one is paced. */
  private void send(PeerSession session, Endpoint to, Buffer probe, long now) {
    if (to.equals(Candidate.VIA_RELAY) || pacer.tryTake(to, probe.length(), now)) {
      transport.sendPacket(session, to, probe);
    } else if (log.isDebugEnabled()) {
      log.debug("out {} probe to {} not sent: paced", to, session.nick);
    }
  }
}
