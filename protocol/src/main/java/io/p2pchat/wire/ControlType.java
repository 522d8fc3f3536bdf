package io.p2pchat.wire;

/** The {@code t} field of a CONTROL message. See docs/PROTOCOL.md for each one's fields. */
public enum ControlType {
  REGISTER("register"),
  REGISTERED("registered"),
  /** The server's stateless cookie for a registering address, to be signed in the next register. */
  CHALLENGE("challenge"),
  KEEPALIVE("keepalive"),
  KEEPALIVE_ACK("keepalive-ack"),
  LIST("list"),
  PEERS("peers"),
  CONNECT("connect"),
  INTRODUCE("introduce"),
  GONE("gone"),
  BYE("bye"),
  /** A client received the {@code introduce} or {@code gone} with this {@code mid}: stop sending it. */
  ACK("ack"),
  /**
   * Sent by a registered client from its socket of the other address family, sealed in its control
   * session: "this is my other address". Never moves the session; answered with {@link #ALT_CHALLENGE}.
   */
  ALT("alt"),
  /** The rendezvous's answer to {@link #ALT}, sent to that source: the address it saw and a cookie bound to it. */
  ALT_CHALLENGE("alt-challenge"),
  /** Sent over the registered path: the other family's address and its cookie, which prove the client receives there. */
  ALT_CONFIRM("alt-confirm"),
  /** The rendezvous took the other family's address: peers are introduced with it from now on. */
  ALT_OK("alt-ok"),
  /**
   * Sent over the registered path: the public address a port mapping (NAT-PMP, PCP, UPnP-IGD) of the client's
   * gateway forwards to its socket. Taken only on the client's registered public host; answered {@link #PORTMAP_OK}.
   */
  PORTMAP("portmap"),
  /** The rendezvous took the mapped address: peers are introduced with it as {@code portmap} from now on. */
  PORTMAP_OK("portmap-ok"),
  /*
   * The mailbox (issue 17): client to server deposit, mail-ack, notice-ack; server to client deposited,
   * refused, mail, expired. Fields, codec and meaning: MailboxControl.Type, of the same wire names.
   */
  DEPOSIT("deposit"), DEPOSITED("deposited"), REFUSED("refused"), MAIL("mail"), MAIL_ACK("mail-ack"),
  EXPIRED("expired"), NOTICE_ACK("notice-ack"),
  ERROR("error");

  private final String wireName;

  ControlType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The type named {@code name}, or {@code null}. */
  public static ControlType of(String name) {
    for (ControlType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    return null;
  }
}
