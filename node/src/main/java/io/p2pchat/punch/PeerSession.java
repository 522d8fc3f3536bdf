package io.p2pchat.punch;

import io.p2pchat.crypto.HandshakeException;
import io.p2pchat.crypto.NodeIdentity;
import io.p2pchat.crypto.SecureChannel;
import io.p2pchat.crypto.TransportCipher;
import io.p2pchat.delivery.DeliveryListener;
import io.p2pchat.delivery.DeliveryOptions;
import io.p2pchat.delivery.DeliveryProtocolException;
import io.p2pchat.delivery.MessageSink;
import io.p2pchat.delivery.PeerDelivery;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.HandshakeCodec;
import io.p2pchat.wire.HeapBytes;
import io.p2pchat.wire.PacketCodec;
import io.p2pchat.wire.PacketType;
import io.p2pchat.wire.WireException;
import io.p2pchat.wire.frame.BufferFrameSink;
import io.p2pchat.wire.frame.ByeFrame;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.FrameException;
import io.p2pchat.wire.frame.PingFrame;
import io.p2pchat.wire.frame.PongFrame;

import javax.crypto.AEADBadTagException;
import java.util.function.Supplier;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.ArrayDeque;
import java.util.List;
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

    void punchFailed(PeerSession session, int candidates, boolean relay);

    void received(PeerSession session, byte[] message);

    void delivered(PeerSession session, OutboundChat chat);

    void failed(PeerSession session, OutboundChat chat, String reason);

    /** The delivery layer sent a DATA fragment again: count it, nothing more (its hot path). */
    void retransmitted(PeerSession session);

    /** The delivery layer took a round-trip sample: count it, nothing more (its hot path). */
    void rttSampled(PeerSession session, long sampleNanos);

    /** The end-to-end session is up: the peer proved its identity key. */
    void secured(PeerSession session);

    /** The handshake failed: a forgery, or a key that is not the one known for this nick. */
    void handshakeFailed(PeerSession session, String why);
  }

  /** Bytes a DATA packet keeps free for the AEAD tag. */
  static final int AEAD_TAG_BYTES = TransportCipher.TAG_LENGTH;
  /** First handshake retransmission: a few RTTs of a slow path; doubled up to the cap. */
  static final long HANDSHAKE_FIRST_RETRY_NANOS = 300_000_000L;
  static final long HANDSHAKE_MAX_RETRY_NANOS = 2_000_000_000L;
  /**
   * A handshake that sent or took a message this recently is still running: two of its longest retry
   * intervals. A second introduction of the same peer instance meanwhile (LAN discovery and the
   * rendezvous both introduce it) joins it instead of restarting it: a restart here while the peer's
   * answer is in flight makes that answer fail authentication, a WARN and a wasted round.
   */
  static final long HANDSHAKE_RUNNING_NANOS = 2 * HANDSHAKE_MAX_RETRY_NANOS;
  /** {@link #handshakeActiveAt} before any handshake message. */
  private static final long NO_HANDSHAKE = Long.MIN_VALUE;
  /** Frames of one DATA packet: the peer-packet budget less the header and the tag. */
  static final int FRAME_BUDGET = PacketCodec.MAX_PEER_PACKET - PacketCodec.HEADER_SIZE - AEAD_TAG_BYTES;
  /**
   * Messages waiting for window per peer: back-pressure holds the sender's replies meanwhile, so
   * this only bounds what many concurrent senders can pile up; past it a send fails with a reason.
   */
  static final int MAX_BACKLOG = 10_000;

  /** Told once whether the stream took a submitted message, or why not. */
  interface Verdict {
    void accepted();

    void refused(String reason);
  }

  private record Waiting(long handle, byte[] message, Verdict verdict) {
  }

  final String nick;
  final int localIndex;
  private final Host host;
  private final DeliveryOptions deliveryOptions;
  final PeerPath path;
  private PeerDelivery delivery;
  private final Supplier<SecureChannel> channels;
  private SecureChannel channel;
  private boolean handshakeStarted;
  private long handshakeRetryAt = Long.MAX_VALUE;
  private long handshakeRetryInterval = HANDSHAKE_FIRST_RETRY_NANOS;
  private long handshakeCounter;
  /** When the current channel last sent or took a handshake message, or {@link #NO_HANDSHAKE}. */
  private long handshakeActiveAt = NO_HANDSHAKE;
  /** The current channel's handshake failed: a new introduction starts it over. */
  private boolean handshakeBroken;
  /** A PONG owed to the peer (its ping id), or -1. */
  private long pongOwed = -1;
  private boolean pingWanted;
  private long pingRttNanos = -1;
  /** Messages taken and not yet delivered or failed (in the window or the backlog), by stream handle. */
  private final HandleQueue<OutboundChat> chatsByHandle = new HandleQueue<>();
  private final ArrayDeque<Waiting> backlog = new ArrayDeque<>();
  /**
   * The frames of the DATA packet {@link #flush} is building, one buffer for every packet: it is sealed into the
   * packet's own array before the next is built. A fresh {@link #FRAME_BUDGET} buffer per packet was ~1.2 KB of
   * garbage per datagram sent, ~150 B per message of a flood (8 to a datagram).
   */
  private final ByteBuf frameBytes = Unpooled.buffer(FRAME_BUDGET);
  private final Buffer frameBuffer = BufferInternal.buffer(frameBytes);
  /**
   * The plaintext of the DATA packet {@link #onData} is reading, reused likewise (the frame decoder copies what it
   * keeps); null while in use, so a call within that one (none today) takes a fresh array instead.
   */
  private byte[] plainScratch = new byte[FRAME_BUDGET];

  String instance;
  long introId;
  byte[] secret;
  /** The introduction before the current one: the peer may still be probing with it for a moment. */
  long previousIntroId;
  private byte[] previousSecret;
  long relayId;
  /** The identity key the rendezvous saw the peer register with (it signed over a cookie), or null. */
  byte[] introducedKey;
  /** When the introduction that is still looking for a direct path arrived (System.nanoTime()), or -1. */
  long introducedAtNanos = -1;
  /** The peer's index for us, learned from its probes; 0 until then (no DATA can be sent). */
  int remoteIndex;

  /** This session's timer and end-of-turn flush, kept by {@link SessionTimers}. */
  final SessionTimers.Slot timers = new SessionTimers.Slot();

  /**
   * @param channels makes a fresh {@link SecureChannel} for this peer (one per handshake lineage)
   */
  PeerSession(String nick, int localIndex, Host host, DeliveryOptions deliveryOptions, Supplier<SecureChannel> channels,
              long punchWindowNanos, long keepAliveNanos, Set<Endpoint> ownAddresses) {
    this.nick = nick;
    this.localIndex = localIndex;
    this.host = host;
    this.deliveryOptions = deliveryOptions;
    this.channels = channels;
    this.channel = channels.get();
    this.path = new PeerPath(this, punchWindowNanos, keepAliveNanos, ownAddresses);
    this.delivery = new PeerDelivery(deliveryOptions, this, this);
  }

  /** An introduction (first or again): new probe secret and candidates; a new instance is a restarted peer. */
  void introduce(long introId, byte[] secret, String instance, long relayId, List<Candidate> candidates,
                 boolean relay, boolean relayFirst, long now) {
    if (this.instance != null && !this.instance.equals(instance)) {
      // The peer restarted: its side of both streams is new, so ours must be too.
      failAll("peer restarted");
      delivery = new PeerDelivery(deliveryOptions, this, this);
      remoteIndex = 0;
      resetChannel();
    } else if (!channel.isConfirmed() && !handshakeRunning(now)) {
      // A handshake that never completed (lost, or refused until the user accepted a new key) starts over;
      // one still running (the other introduction of this peer started it) is joined.
      resetChannel();
    }
    this.instance = instance;
    this.previousIntroId = this.introId;
    this.previousSecret = this.secret;
    this.introId = introId;
    this.secret = secret;
    this.relayId = relayId;
    path.introduce(candidates, relay, relayFirst, now);
  }

  /** The rendezvous offers its relay again (the node registered): a session without a path probes it. */
  void relayOffered(long now) {
    if (relayId != 0) {
      path.relayOffered(now);
    }
  }

  /** True while the current channel's handshake is under way and not failed: see {@link #HANDSHAKE_RUNNING_NANOS}. */
  private boolean handshakeRunning(long now) {
    return !handshakeBroken && handshakeActiveAt != NO_HANDSHAKE && now - handshakeActiveAt < HANDSHAKE_RUNNING_NANOS;
  }

  /** The probe secret of the current or the previous introduction, or null. */
  byte[] secretFor(long probeIntroId) {
    return probeIntroId == introId ? secret : probeIntroId == previousIntroId ? previousSecret : null;
  }

  /**
   * Offers a message; {@code verdict} hears when the stream accepted it (at once, or when the
   * window opens: back-pressure), or that the backlog is full.
   */
  void submit(long handle, OutboundChat chat, Verdict verdict, long now) {
    byte[] message = chat.payload();
    if (backlog.isEmpty() && delivery.offer(handle, message, now)) {
      chatsByHandle.add(handle, chat);
      verdict.accepted();
    } else if (backlog.size() >= MAX_BACKLOG) {
      verdict.refused("send queue to " + nick + " is full (" + MAX_BACKLOG + " messages waiting)");
    } else {
      chatsByHandle.add(handle, chat);
      backlog.add(new Waiting(handle, message, verdict));
    }
  }

  /**
   * The round trip users see: the last probe exchange on the path (a keep-alive refreshes it every
   * keepAliveSeconds, so a slow first measurement during start-up does not stick), else the
   * first ping, else the reliable stream's smoothed RTT (-1 when nothing completed yet).
   */
  long rttNanos() {
    long probed = path.rttNanos();
    return probed >= 0 ? probed : pingRttNanos >= 0 ? pingRttNanos : delivery.send().rtt().srttNanos();
  }

  /** The RTT last published in a {@code peer.state} event, to publish again only on a real change. */
  long publishedRttNanos = -1;
  /** When {@link #publishedRttNanos} was published (System.nanoTime()). */
  long publishedRttAtNanos;

  /** Messages accepted for this peer and not yet acknowledged (held while no path exists). */
  long heldMessages() {
    return delivery.send().pendingMessages() + backlog.size();
  }

  /** The fingerprint of the peer's proven identity key, or null before the handshake. */
  String fingerprint() {
    return channel.peer() == null ? null : NodeIdentity.fingerprintOf(channel.peer().signingKey());
  }

  /** The peer's proven identity key, or null. */
  byte[] peerKey() {
    return channel.peer() == null ? null : channel.peer().signingKey();
  }

  /** The peer's proven static key, or null: a mailbox envelope for it is sealed to this key. */
  byte[] peerStaticKey() {
    return channel.peerStaticKey();
  }

  /** The signature binding {@link #peerStaticKey()} to {@link #peerKey()}, or null. */
  byte[] peerBinding() {
    return channel.peer() == null ? null : channel.peer().binding();
  }

  /**
   * A HANDSHAKE message from this peer, over the path it came by. A message 1 shorter than
   * {@link SecureChannel#MESSAGE1_MIN_LENGTH} is dropped unanswered (its answer would be more than 3
   * times its size: amplification toward a spoofed source), and so is one whose MAC does not verify
   * under the current or the previous introduction's secret (it is not from the introduced peer, and
   * must not hold up the peer's own handshake). The sender index a message carries is
   * adopted only when that message completed a handshake (message 2 for the initiator, 3 for the
   * responder): an unauthenticated message 1 never redirects the established session.
   */
  void onHandshake(HandshakeCodec.Message message, Endpoint from, long now) throws WireException {
    if (message.number() == 1 && message.noise().length < SecureChannel.MESSAGE1_MIN_LENGTH) {
      throw new WireException(DropReason.AMPLIFICATION, "handshake message 1 of " + message.noise().length
        + " bytes, under the " + SecureChannel.MESSAGE1_MIN_LENGTH + " that earn an answer");
    }
    if (!message.verify(secret) && !message.verify(previousSecret)) {
      // Not from the introduced peer (nobody else knows the secret): it may not take a handshake slot.
      throw new WireException(DropReason.UNAUTHENTICATED, "handshake message 1 without the introduction's MAC");
    }
    boolean wasEstablished = channel.isEstablished();
    long completedBefore = channel.handshakesCompleted();
    SecureChannel.Outgoing reply;
    try {
      reply = channel.onHandshake(message.number(), message.noise(), now);
    } catch (HandshakeException e) {
      handshakeBroken = true;
      host.handshakeFailed(this, e.getMessage());
      throw new WireException(DropReason.UNAUTHENTICATED, "handshake: " + e.getMessage());
    }
    handshakeActiveAt = now;
    if (channel.handshakesCompleted() != completedBefore && message.senderIndex() != 0) {
      remoteIndex = message.senderIndex();
    }
    if (reply != null) {
      // Message 2 goes to the index message 1 named, which is not adopted until message 3 proves it.
      sendHandshake(reply, from, message.senderIndex() != 0 ? message.senderIndex() : remoteIndex);
    }
    if (channel.isEstablished() && (!wasEstablished || message.number() >= 2)) {
      handshakeRetryAt = channel.retransmission() == null ? Long.MAX_VALUE : now + HANDSHAKE_FIRST_RETRY_NANOS;
      handshakeRetryInterval = HANDSHAKE_FIRST_RETRY_NANOS;
      SecureChannel.Outgoing message3 = channel.retransmission();
      if (channel.isInitiator() && message3 != null) {
        // Message 3 may be lost: a ping the peer can only answer with the new keys confirms it. Once
        // confirmed there is nothing to resend: a replayed message 2 earns nothing.
        pingWanted = true;
        sendHandshake(message3, from);
      }
      if (!wasEstablished) {
        host.secured(this);
      }
    }
  }

  /**
   * A sealed DATA packet from this peer (its header, counter {@code counter}, and body):
   * authenticated, de-duplicated, then its frames applied. Only the newest packet (a counter above
   * every one accepted) from a new address may start a roam, which the path validates first.
   */
  void onData(long counter, io.vertx.core.buffer.Buffer packet, Endpoint from, long now) throws Exception {
    boolean newest = channel.isNewest(counter);
    Endpoint current = path.address();
    if (!newest && current != null && !from.equals(current) && !from.equals(Candidate.VIA_RELAY)) {
      // Only the newest packet may move a path: an older one from elsewhere is a genuine packet held
      // back and replayed by someone on the path. Dropped before it touches the replay window.
      throw new WireException(DropReason.REPLAYED, "counter " + counter + " from " + from
        + " is not above the highest accepted: an old packet from a new address does not move the path");
    }
    HeapBytes sealed = HeapBytes.of(packet);
    int plainLength = Math.max(0, sealed.length() - PacketCodec.HEADER_SIZE - AEAD_TAG_BYTES);
    byte[] scratch = plainScratch;
    plainScratch = null;
    try {
      open(counter, sealed, scratch != null && scratch.length >= plainLength ? scratch : new byte[plainLength], from,
        newest, now);
    } finally {
      if (scratch != null) {
        plainScratch = scratch;
      }
    }
  }

  /** {@link #onData} once the packet may be opened: decrypted into {@code plain}, then its frames applied. */
  private void open(long counter, HeapBytes sealed, byte[] plain, Endpoint from, boolean newest, long now)
      throws Exception {
    int length;
    try {
      length = channel.open(counter, sealed.array(), sealed.offset(), PacketCodec.HEADER_SIZE, sealed.length(), plain);
    } catch (AEADBadTagException e) {
      throw new WireException(DropReason.UNAUTHENTICATED, "data does not authenticate: " + e.getMessage());
    }
    if (length < 0) {
      throw new WireException(DropReason.REPLAYED, "counter " + counter + " seen before");
    }
    if (channel.retransmission() == null) {
      handshakeRetryAt = Long.MAX_VALUE;
    }
    path.onAuthenticated(from, newest, now);
    try {
      FrameCodec.decode(HeapBytes.wrap(plain, 0, length), frame -> {
        if (delivery.onFrame(frame, now)) {
          return;
        }
        if (frame instanceof PingFrame ping) {
          pongOwed = ping.pingId();
        } else if (frame instanceof PongFrame pong && pong.pingId() <= now) {
          pingRttNanos = now - pong.pingId();
        } else if (frame instanceof ByeFrame) {
          close("said goodbye");
        }
      });
    } catch (FrameException | DeliveryProtocolException e) {
      // The packet authenticated, so the peer itself sent it, and frames before the bad one may
      // already be applied: the streams cannot go on from here, and dropping the packet would
      // leave them silently out of step. The peer is cut off instead.
      throw cutOff(e.getMessage());
    }
  }

  /**
   * Closes the session of a peer that broke the protocol: every message still pending to it fails
   * with the reason, the keys and both streams are discarded (the peer must handshake afresh after
   * a new introduction) and the socket owner hears {@link PathState#GONE}.
   *
   * @return the drop to count for the offending packet (the socket owner logs it, once, at WARN)
   */
  private WireException cutOff(String detail) {
    String reason = "peer broke the protocol: " + detail;
    long pending = heldMessages();
    path.close(reason); // the socket owner hears GONE, with the reason
    failAll(reason);
    delivery = new PeerDelivery(deliveryOptions, this, this);
    resetChannel();
    return new WireException(DropReason.PROTOCOL_VIOLATION,
      nick + " broke the protocol: " + detail + "; session closed, " + pending + " pending messages failed");
  }

  /** Sends every packet the stream wants now, if a path exists: the handshake first, then sealed data. */
  void flush(long now) {
    Endpoint to = path.address();
    if (to == null || remoteIndex == 0 || path.state() == PathState.GONE) {
      return;
    }
    if (!handshakeStarted && channel.isInitiator()) {
      startHandshake(to, now);
    }
    if (!channel.isEstablished()) {
      return;
    }
    channel.rekeyIfDue(now);
    boolean control = pingWanted || pongOwed >= 0;
    while (control || delivery.wantsToSend(now)) {
      frameBytes.clear();
      Buffer frames = frameBuffer;
      if (pongOwed >= 0) {
        FrameCodec.encode(frames, new PongFrame(pongOwed));
        pongOwed = -1;
      }
      if (pingWanted) {
        FrameCodec.encode(frames, new PingFrame(now));
        pingWanted = false;
      }
      boolean wrote = delivery.writeFrames(new BufferFrameSink(frames, FRAME_BUDGET - frames.length()), now) || control;
      control = false;
      if (!wrote) {
        break;
      }
      host.sendPacket(this, to, seal(frames));
    }
    if (delivery.send().unackedFragments() > 0) {
      path.expectAnswer(now);
    }
  }

  /**
   * The signed goodbye for the peer on the current path, or null when there is no secured path
   * to say it on. Best effort (it is leaving anyway); the caller sends it and may wait for it to
   * leave the socket.
   */
  Buffer byePacket() {
    Endpoint to = path.address();
    if (to == null || remoteIndex == 0 || !channel.isEstablished()) {
      return null;
    }
    Buffer frames = Buffer.buffer();
    FrameCodec.encode(frames, ByeFrame.INSTANCE);
    return seal(frames);
  }

  /** The DATA packet carrying {@code frames}: header and sealed body built in one array. */
  private io.vertx.core.buffer.Buffer seal(io.vertx.core.buffer.Buffer frames) {
    HeapBytes plain = HeapBytes.of(frames);
    byte[] packet = new byte[PacketCodec.HEADER_SIZE + plain.length() + AEAD_TAG_BYTES];
    long counter = channel.nextSendCounter();
    PacketCodec.writeHeader(packet, PacketType.DATA, remoteIndex, counter);
    int n = channel.seal(counter, packet, PacketCodec.HEADER_SIZE, plain.array(), plain.offset(), plain.length());
    return HeapBytes.wrap(packet, 0, PacketCodec.HEADER_SIZE + n);
  }

  private void startHandshake(Endpoint to, long now) {
    try {
      handshakeStarted = true;
      handshakeActiveAt = now;
      sendHandshake(channel.start(), to);
      handshakeRetryAt = now + HANDSHAKE_FIRST_RETRY_NANOS;
      handshakeRetryInterval = HANDSHAKE_FIRST_RETRY_NANOS;
    } catch (HandshakeException e) {
      handshakeBroken = true;
      host.handshakeFailed(this, e.getMessage());
    }
  }

  private void sendHandshake(SecureChannel.Outgoing message, Endpoint to) {
    sendHandshake(message, to, remoteIndex);
  }

  private void sendHandshake(SecureChannel.Outgoing message, Endpoint to, int receiverIndex) {
    host.sendPacket(this, to, HandshakeCodec.encode(receiverIndex, ++handshakeCounter, message.number(), localIndex,
      message.bytes(), secret));
  }

  private void resetChannel() {
    channel.destroy(); // the keys of the channel left behind are wiped, not left to the garbage collector
    channel = channels.get();
    handshakeStarted = false;
    handshakeActiveAt = NO_HANDSHAKE;
    handshakeBroken = false;
    handshakeRetryAt = Long.MAX_VALUE;
  }

  long nextDeadline() {
    return Math.min(Math.min(path.nextDeadline(), delivery.nextDeadlineNanos()), handshakeRetryAt);
  }

  void onTimer(long now) {
    path.onTimer(now);
    delivery.onTimer(now);
    if (now >= handshakeRetryAt) {
      SecureChannel.Outgoing again = channel.retransmission();
      Endpoint to = path.address();
      if (again == null || to == null) {
        handshakeRetryAt = again == null ? Long.MAX_VALUE : now + handshakeRetryInterval;
      } else {
        sendHandshake(again, to);
        handshakeRetryInterval = Math.min(handshakeRetryInterval * 2, HANDSHAKE_MAX_RETRY_NANOS);
        handshakeRetryAt = now + handshakeRetryInterval;
      }
    }
  }

  /**
   * The peer left ({@code why}): the path reports {@link PathState#GONE}, what was not delivered fails, and
   * the session's keys are wiped.
   */
  void close(String why) {
    path.close(why);
    failAll("peer left");
    destroyKeys();
  }

  /** Wipes the session's transport keys (it ended, or its node stops once the goodbye is sealed): nothing seals or opens after. */
  void destroyKeys() {
    channel.destroy();
  }

  private void failAll(String reason) {
    for (Waiting w : backlog) {
      w.verdict.accepted();
    }
    backlog.clear();
    // By handle: the failures are reported in the order the messages were sent.
    chatsByHandle.drain().forEach(chat -> host.failed(this, chat, reason));
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

  @Override
  public void punchFailed(int candidates, boolean relay) {
    host.punchFailed(this, candidates, relay);
  }

  // DeliveryListener and MessageSink

  @Override
  public void delivered(long handle) {
    OutboundChat chat = chatsByHandle.remove(handle);
    if (chat != null) {
      host.delivered(this, chat);
    }
  }

  @Override
  public void failed(long handle, String reason) {
    OutboundChat chat = chatsByHandle.remove(handle);
    if (chat != null) {
      host.failed(this, chat, reason);
    }
  }

  @Override
  public void retransmitted() {
    host.retransmitted(this);
  }

  @Override
  public void rttSampled(long sampleNanos) {
    host.rttSampled(this, sampleNanos);
  }

  @Override
  public void windowOpened() {
    long now = System.nanoTime();
    while (!backlog.isEmpty() && delivery.offer(backlog.peek().handle, backlog.peek().message, now)) {
      backlog.poll().verdict.accepted();
    }
  }

  @Override
  public void message(byte[] message) {
    host.received(this, message);
  }
}
