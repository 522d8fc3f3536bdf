package io.p2pchat.punch;

import io.p2pchat.delivery.DeliveryListener;
import io.p2pchat.delivery.DeliveryOptions;
import io.p2pchat.delivery.MessageSink;
import io.p2pchat.delivery.PeerDelivery;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.frame.BufferFrameSink;
import io.p2pchat.wire.frame.ByeFrame;
import io.p2pchat.wire.frame.FrameCodec;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything this node keeps about one peer: the introduction, the path machine, the reliable
 * stream both ways and the packet counters. Lives on PunchVerticle's event loop only.
 */
final class PeerSession implements PeerPath.Actions, DeliveryListener, MessageSink {

  /** What a session asks of the socket owner. */
  interface Host {
    void sendPacket(PeerSession session, Endpoint to, Buffer packet);

    void sendPunch(PeerSession session, Endpoint to, long txId);

    void pathChanged(PeerSession session, PathState state, Endpoint address, String why);

    void pathLost(PeerSession session);

    void received(PeerSession session, byte[] message);

    void delivered(PeerSession session, String messageId);

    void failed(PeerSession session, String messageId, String reason);
  }

  /** Bytes a DATA packet keeps free for the AEAD tag of the encryption layer. */
  static final int AEAD_TAG_BYTES = 16;
  /** Frames of one DATA packet: the peer-packet budget less the header and the tag. */
  static final int FRAME_BUDGET = PacketCodec.MAX_PEER_PACKET - PacketCodec.HEADER_SIZE - AEAD_TAG_BYTES;
  /**
   * Messages waiting for window per peer: back-pressure holds the sender's replies meanwhile, so
   * this only bounds what many concurrent senders can pile up; past it a send fails with a reason.
   */
  static final int MAX_BACKLOG = 10_000;

  private record Waiting(long handle, byte[] message, Promise<Void> accepted) {
  }

  final String nick;
  final int localIndex;
  private final Host host;
  private final DeliveryOptions deliveryOptions;
  final PeerPath path;
  private PeerDelivery delivery;
  private final Map<Long, String> messageIds = new HashMap<>();
  private final ArrayDeque<Waiting> backlog = new ArrayDeque<>();

  String instance;
  long introId;
  byte[] secret;
  /** The introduction before the current one: the peer may still be probing with it for a moment. */
  long previousIntroId;
  private byte[] previousSecret;
  long relayId;
  /** The peer's index for us, learned from its probes; 0 until then (no DATA can be sent). */
  int remoteIndex;
  private long sendCounter;

  long timerId = -1;
  long armedAt = Long.MAX_VALUE;
  boolean flushScheduled;

  PeerSession(String nick, int localIndex, Host host, DeliveryOptions deliveryOptions,
              long punchWindowNanos, long keepAliveNanos, Set<Endpoint> ownAddresses) {
    this.nick = nick;
    this.localIndex = localIndex;
    this.host = host;
    this.deliveryOptions = deliveryOptions;
    this.path = new PeerPath(this, punchWindowNanos, keepAliveNanos, ownAddresses);
    this.delivery = new PeerDelivery(deliveryOptions, this, this);
  }

  /** An introduction (first or again): new probe secret and candidates; a new instance is a restarted peer. */
  void introduce(long introId, byte[] secret, String instance, long relayId, List<Candidate> candidates,
                 boolean relay, long now) {
    if (this.instance != null && !this.instance.equals(instance)) {
      // The peer restarted: its side of both streams is new, so ours must be too.
      failAll("peer restarted");
      delivery = new PeerDelivery(deliveryOptions, this, this);
      remoteIndex = 0;
    }
    this.instance = instance;
    this.previousIntroId = this.introId;
    this.previousSecret = this.secret;
    this.introId = introId;
    this.secret = secret;
    this.relayId = relayId;
    path.introduce(candidates, relay, now);
  }

  /** The probe secret of the current or the previous introduction, or null. */
  byte[] secretFor(long probeIntroId) {
    return probeIntroId == introId ? secret : probeIntroId == previousIntroId ? previousSecret : null;
  }

  /**
   * Offers a message; the future completes when the stream accepted it (at once, or when the
   * window opens: back-pressure), or fails when the backlog is full.
   */
  void submit(long handle, String messageId, byte[] message, Promise<Void> accepted, long now) {
    if (backlog.isEmpty() && delivery.offer(handle, message, now)) {
      messageIds.put(handle, messageId);
      accepted.complete();
    } else if (backlog.size() >= MAX_BACKLOG) {
      accepted.fail("send queue to " + nick + " is full (" + MAX_BACKLOG + " messages waiting)");
    } else {
      messageIds.put(handle, messageId);
      backlog.add(new Waiting(handle, message, accepted));
    }
  }

  /** Frames of a DATA packet from this peer, already authenticated. */
  void onData(Buffer body, Endpoint from, long now) throws Exception {
    path.heard(now);
    FrameCodec.decode(body, frame -> {
      if (!delivery.onFrame(frame, now) && frame instanceof ByeFrame) {
        close();
        host.pathChanged(this, PathState.GONE, from, "said goodbye");
      }
    });
  }

  /** Sends every packet the stream wants now, if a path exists. */
  void flush(long now) {
    Endpoint to = path.address();
    if (to == null || remoteIndex == 0 || path.state() == PathState.GONE) {
      return;
    }
    while (delivery.wantsToSend(now)) {
      Buffer packet = PacketCodec.header(PacketType.DATA, remoteIndex, ++sendCounter);
      BufferFrameSink sink = new BufferFrameSink(packet, FRAME_BUDGET);
      if (!delivery.writeFrames(sink, now)) {
        break;
      }
      host.sendPacket(this, to, packet);
    }
    if (delivery.send().unackedFragments() > 0) {
      path.expectAnswer(now);
    }
  }

  /** A goodbye to the peer on the current path, best effort (it is leaving anyway). */
  void sayBye() {
    Endpoint to = path.address();
    if (to != null && remoteIndex != 0) {
      Buffer packet = PacketCodec.header(PacketType.DATA, remoteIndex, ++sendCounter);
      FrameCodec.encode(packet, ByeFrame.INSTANCE);
      host.sendPacket(this, to, packet);
    }
  }

  long nextDeadline() {
    return Math.min(path.nextDeadline(), delivery.nextDeadlineNanos());
  }

  void onTimer(long now) {
    path.onTimer(now);
    delivery.onTimer(now);
  }

  void close() {
    path.close();
    failAll("peer left");
  }

  private void failAll(String reason) {
    for (Waiting w : backlog) {
      w.accepted.complete();
    }
    backlog.clear();
    Map<Long, String> outstanding = new HashMap<>(messageIds);
    messageIds.clear();
    outstanding.values().forEach(id -> host.failed(this, id, reason));
  }

  // PeerPath.Actions

  @Override
  public void sendPunch(Endpoint to, long txId) {
    host.sendPunch(this, to, txId);
  }

  @Override
  public void pathChanged(PathState state, Endpoint address, String why) {
    host.pathChanged(this, state, address, why);
  }

  @Override
  public void pathLost() {
    host.pathLost(this);
  }

  // DeliveryListener and MessageSink

  @Override
  public void delivered(long handle) {
    String id = messageIds.remove(handle);
    if (id != null) {
      host.delivered(this, id);
    }
  }

  @Override
  public void failed(long handle, String reason) {
    String id = messageIds.remove(handle);
    if (id != null) {
      host.failed(this, id, reason);
    }
  }

  @Override
  public void windowOpened() {
    long now = System.nanoTime();
    while (!backlog.isEmpty() && delivery.offer(backlog.peek().handle, backlog.peek().message, now)) {
      backlog.poll().accepted.complete();
    }
  }

  @Override
  public void message(byte[] message) {
    host.received(this, message);
  }
}
