package io.p2pchat.punch;

import java.util.concurrent.TimeUnit;

/** Every timer of the punch layer, with what it bounds and why. */
final class Timing {

  /**
   * First punch retry. Both sides send at once; a NAT drops the first packets that arrive before
   * its own side has sent, so a quick second round usually completes the punch (~5 ms here).
   */
  static final long PROBE_FIRST_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Punch retries back off to this: still several tries within a 5 s punch window. */
  static final long PROBE_MAX_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
  /**
   * A probe or data that expects an answer gets one within this or the path is suspect. Chat
   * paths have RTTs of milliseconds to a few hundred; 3 s tolerates two lost retransmissions.
   */
  static final long SILENCE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(3);
  /**
   * A path challenge (the punch to a new address the peer's packets come from) unanswered this long
   * is abandoned and the path stays: the same bound as any awaited answer, about 3 PTOs of QUIC's
   * path validation (RFC 9000 section 8.2.4) on a slow chat path.
   */
  static final long PATH_CHALLENGE_TIMEOUT_NANOS = SILENCE_LIMIT_NANOS;
  /**
   * At most one new path challenge per peer this often: a NAT rebinding needs one, and packets from
   * many addresses (on-path games) cost one probe a second, each smaller than 3 times the packet
   * that caused it.
   */
  static final long PATH_CHALLENGE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * First retry of a relay probe while a pair has no path: a relayed probe crosses the rendezvous twice each
   * way, so one in two is lost at 20% loss per packet; half a second keeps the gap short without a burst.
   */
  static final long RELAY_PROBE_FIRST_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /**
   * Relay probes double from {@link #RELAY_PROBE_FIRST_INTERVAL_NANOS} up to this while the pair has no path:
   * one 100-byte datagram per 30 s per pathless peer, where a 1 s cap sent 3 600 an hour through the rendezvous
   * for a peer that may never answer (the relay answers only a registered pair). What makes an answer likely
   * again resets them to the first interval ({@code PeerPath.hurryRelayProbes}): a packet of the peer, a new
   * introduction of it, our registration (after a failover). So the cap only bounds the wait for a relay that
   * recovered silently: 30 s, twice {@link #UPGRADE_RETRY_NANOS}, after which the session asks for a new
   * introduction anyway. The lossy failover (ClusterFailoverIT, 60 s bound) recovers from dave's registration
   * with the survivor, which resets both sides (dave's registration, alice's introduction): 7 probes each in
   * the first 31.5 s (0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s), each answered with p = 0.8^4 = 0.41 at 20% loss.
   */
  static final long RELAY_PROBE_MAX_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** While relayed (or unreachable), how often to try again for a direct path. */
  static final long UPGRADE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(15);
  /** Probes awaiting a {@code punched}: enough for every candidate over a few rounds, bounded. */
  static final int MAX_PENDING_PROBES = 64;
  /** A pending probe older than this will never count: its answer would be far too late. */
  static final long PROBE_EXPIRY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** First registration retry; doubled up to the cap while the rendezvous does not answer. */
  static final long REGISTER_FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  /** Registration retries back off to this, so a returning rendezvous is found within seconds. */
  static final long REGISTER_MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
  /**
   * After answering the server's challenge, the registration is tried again if {@code registered} has not
   * come within this: a loaded rendezvous answers within tens of milliseconds, a slow path within a few
   * hundred; a second is generous and still far below the backed-off retry of a silent server.
   */
  static final long REGISTER_ANSWER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * TLS connection attempts to the rendezvous back off to this after a failure (refused, timed out, closed):
   * a minute, so a host behind a firewall that also blocks TCP costs one connect a minute.
   */
  static final long TLS_RECONNECT_MAX_MS = TimeUnit.SECONDS.toMillis(60);
  /**
   * While on the TLS fallback, a HELLO to the rendezvous's UDP port this often tests whether UDP works again:
   * 10 s plus a registration and a punch round keeps an upgrade within the 60 s bound, at one
   * 100-byte datagram (answered by a cookie, no state on the server) per 10 s.
   */
  static final long UDP_RETRY_WHILE_TLS_MS = TimeUnit.SECONDS.toMillis(10);
  /** Keep-alives to the rendezvous at most this far apart: a third of its default 30 s TTL. */
  static final long SERVER_KEEPALIVE_MAX_NANOS = TimeUnit.SECONDS.toNanos(10);
  /**
   * Three registrations in a row unanswered mean the server is down: one lost
   * datagram, or two, never makes a client change servers.
   */
  static final int SERVER_MISSES_BEFORE_DOWN = 3;
  /**
   * Keep-alives sent, spread over the second half of {@link #SERVER_DOWN_AFTER_NANOS}, before a registered
   * client declares its server down. With a fifth of the packets lost each way a round trip fails 36% of
   * the time: three in a row (4.7% of the keep-alive rounds where the first goes unanswered) moved a client
   * to another instance about every 100 s in the NAT lab's lossy failover; six in a row is 0.2%. A healthy
   * server answers the first, so the other five cost nothing; a dead one costs five more 60-byte datagrams.
   */
  static final int SERVER_KEEPALIVES_BEFORE_DOWN = 6;
  /**
   * While the control handshake runs, registrations wait in its queue: they are not unanswered, the
   * handshake is. It counts as given up (the server unreachable) once it went unanswered this long: 6 s,
   * its five sends (0, 0.3, 0.9, 2.1, 4.1 s) and 2 s for the last one's answer. A loaded rendezvous
   * (the user trial: an IK response after about 3 s) is slow, not gone, and is not reported as down.
   */
  static final long CONTROL_HANDSHAKE_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(6);
  /**
   * Default bound on how long a dead rendezvous goes unnoticed (NodeOptions
   * {@code rendezvous.downAfterSeconds}): keep-alives every 4.5 s, misses counted every 1.5 s.
   */
  static final long SERVER_DOWN_AFTER_NANOS = TimeUnit.SECONDS.toNanos(9);

  /**
   * Added to a deadline's distance before it is cut to whole milliseconds, so a timer never fires
   * before its deadline (one that fires early finds nothing due and re-arms: a wasted wake-up).
   */
  private static final long ROUND_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(1) - 1;
  /** The shortest delay a Vert.x timer takes. */
  private static final long MIN_TIMER_MS = 1;

  /** The delay of a Vert.x timer that fires at {@code deadlineNanos}, not before (and not in under 1 ms). */
  static long timerDelayMs(long deadlineNanos, long nowNanos) {
    return Math.max(MIN_TIMER_MS, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - nowNanos + ROUND_UP_NANOS));
  }

  private Timing() {
  }
}
