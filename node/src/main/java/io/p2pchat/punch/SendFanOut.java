package io.p2pchat.punch;

import io.p2pchat.chat.FailureCodes;
import io.p2pchat.mailbox.PeerDirectory;
import java.util.ArrayList;
import java.util.List;

/**
 * Chat messages from ChatVerticle to their sessions: one peer's, or every peer's for the room.
 * ChatVerticle hears once whether every target took a message ({@link PunchEvent.Accepted}) or
 * why one could not ({@link PunchEvent.Rejected}). Lives on PunchVerticle's event loop only.
 */
final class SendFanOut {

  private final PeerTable peers;
  private final SessionTimers timers;
  private final TurnBatch<PunchEvent> events;
  private final MailboxCourier mailbox;
  /** The last handle given to a message in a session's stream: unique per node, never reused. */
  private long nextHandle;

  SendFanOut(PeerTable peers, SessionTimers timers, TurnBatch<PunchEvent> events, MailboxCourier mailbox) {
    this.peers = peers;
    this.mailbox = mailbox;
    this.timers = timers;
    this.events = events;
  }

  /** Offers {@code chat} to its peer (or every peer), each session flushed at the end of this turn. */
  void send(OutboundChat chat) {
    long now = System.nanoTime();
    List<PeerSession> targets;
    if (chat.to() != null) {
      PeerSession target = peers.byNick(chat.to());
      if ((target == null || mailbox.depositing(chat.to())) && mailbox.canQueue(chat.to())) {
        // Offline, but known (or back while earlier messages still wait to be deposited: they keep their order):
        // the message waits in its mailbox (chat.queued follows the rendezvous's answer).
        events.add(new PunchEvent.Accepted(chat, 1));
        mailbox.queueDirect(chat, now);
        return;
      }
      if (target == null) {
        events.add(new PunchEvent.Rejected(chat, FailureCodes.NOT_FOUND, "unknown nick: " + chat.to()));
        return;
      }
      targets = List.of(target);
    } else {
      targets = new ArrayList<>(peers.sessions());
      List<PeerDirectory.Peer> away = mailbox.awayMembers();
      if (targets.isEmpty()) {
        events.add(new PunchEvent.Accepted(chat, away.size())); // before anything the deposits report
      }
      mailbox.queueRoom(chat, away, now);
      if (targets.isEmpty()) {
        return;
      }
    }
    SendVerdict verdict = new SendVerdict(chat, targets.size());
    for (PeerSession session : targets) {
      session.submit(++nextHandle, chat, verdict, now);
      timers.scheduleFlush(session);
    }
  }

  /** Tells ChatVerticle once every target took the message, or as soon as one could not. */
  private final class SendVerdict implements PeerSession.Verdict {
    private final OutboundChat chat;
    private final int peers;
    private int waiting;

    SendVerdict(OutboundChat chat, int peers) {
      this.chat = chat;
      this.peers = peers;
      this.waiting = peers;
    }

    @Override
    public void accepted() {
      if (waiting > 0 && --waiting == 0) {
        events.add(new PunchEvent.Accepted(chat, peers));
      }
    }

    @Override
    public void refused(String reason) {
      if (waiting > 0) {
        waiting = 0;
        events.add(new PunchEvent.Rejected(chat, FailureCodes.UNAVAILABLE, reason));
      }
    }
  }
}
