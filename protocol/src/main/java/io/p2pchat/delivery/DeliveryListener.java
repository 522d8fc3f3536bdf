package io.p2pchat.delivery;

/** Outcomes of offered messages, called synchronously from the stream's methods. */
public interface DeliveryListener {

  /** Every fragment of the message was acknowledged by the peer. */
  void delivered(long handle);

  /**
   * The message was not confirmed before its delivery deadline. The peer may still have received it
   * (an ACK can be lost), so "failed" means "unconfirmed", never "surely not seen".
   */
  void failed(long handle, String reason);

  /** An offer was refused for lack of window and the window now has room for it. */
  void windowOpened();

  /**
   * A fragment was sent again (declared lost by the packet threshold or the timeout), for a meter: called
   * on the stream's hot path, so it must only count.
   */
  default void retransmitted() {
  }

  /**
   * An unambiguous round-trip sample (Karn: of a fragment transmitted once), as the estimator took it: ACK
   * delay not subtracted. Called on the stream's hot path, at most once per ACK, so it must only count.
   */
  default void rttSampled(long sampleNanos) {
  }
}
