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
}
