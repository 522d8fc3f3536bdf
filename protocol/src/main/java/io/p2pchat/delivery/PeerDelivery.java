package io.p2pchat.delivery;

import io.p2pchat.wire.frame.AckFrame;
import io.p2pchat.wire.frame.ForgetFrame;
import io.p2pchat.wire.frame.Frame;
import io.p2pchat.wire.frame.FrameCodec;
import io.p2pchat.wire.frame.FrameSink;
import io.p2pchat.wire.frame.MsgFrame;

/**
 * Both directions of one peer's reliable stream, for the session owner. Drive it like this:
 *
 * <ol>
 *   <li>For every decrypted DATA packet: {@link #onFrame} for each frame (PING/PONG/BYE come back
 *       unhandled for the caller).</li>
 *   <li>After any event (a packet, an {@link #offer}, a timer): while {@link #wantsToSend}, start a
 *       packet, call {@link #writeFrames} with a sink of the full frame budget, and send it if it
 *       wrote anything.</li>
 *   <li>Arm one timer at {@link #nextDeadlineNanos} (cancel the previous one); when it fires call
 *       {@link #onTimer} and then step 2.</li>
 * </ol>
 *
 * An ACK always goes first in a packet: alone when due, and riding on data whenever data is sent and
 * anything was received since the last ACK.
 */
public final class PeerDelivery {

  private final SendStream send;
  private final ReceiveStream receive;

  public PeerDelivery(DeliveryOptions options, DeliveryListener listener, MessageSink sink) {
    this.send = new SendStream(options, listener);
    this.receive = new ReceiveStream(options, sink);
  }

  /** See {@link SendStream#offer}. */
  public boolean offer(long handle, byte[] message, long nowNanos) {
    return send.offer(handle, message, nowNanos);
  }

  /** See {@link SendStream#hasWindow}. */
  public boolean hasWindow() {
    return send.hasWindow();
  }

  /**
   * Applies one received frame.
   *
   * @return false for frames this layer does not handle (PING, PONG, BYE)
   * @throws DeliveryProtocolException when the peer broke the protocol (close the session)
   */
  public boolean onFrame(Frame frame, long nowNanos) {
    if (frame instanceof MsgFrame m) {
      receive.onMsgFrame(m, nowNanos);
    } else if (frame instanceof AckFrame a) {
      send.onAck(a, nowNanos);
    } else if (frame instanceof ForgetFrame f) {
      receive.onForget(f, nowNanos);
    } else {
      return false;
    }
    return true;
  }

  /** True when {@link #writeFrames} would write something now. */
  public boolean wantsToSend(long nowNanos) {
    return receive.ackDue(nowNanos) || send.hasDataToWrite(nowNanos);
  }

  /**
   * Writes an ACK if one is due or can ride on data, then data.
   *
   * @return true when anything was written
   */
  public boolean writeFrames(FrameSink sink, long nowNanos) {
    boolean wrote = false;
    boolean data = send.hasDataToWrite(nowNanos);
    if ((receive.ackDue(nowNanos) || (data && receive.ackPending()))
        && sink.remaining() >= FrameCodec.ackSize(FrameCodec.MAX_ACK_RANGES)) {
      sink.add(receive.buildAck(nowNanos));
      wrote = true;
    }
    if (data) {
      wrote |= send.writeFrames(sink, nowNanos);
    }
    return wrote;
  }

  /** Earliest time anything is due: an ACK, a retransmission, an expiry. */
  public long nextDeadlineNanos() {
    return Math.min(send.nextDeadlineNanos(), receive.nextDeadlineNanos());
  }

  /** Runs due timers (retransmission timeouts, delivery deadlines). */
  public void onTimer(long nowNanos) {
    send.onTimer(nowNanos);
  }

  public SendStream send() {
    return send;
  }

  public ReceiveStream receive() {
    return receive;
  }
}
