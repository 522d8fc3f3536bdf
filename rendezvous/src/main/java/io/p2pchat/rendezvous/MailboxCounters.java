package io.p2pchat.rendezvous;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the mailbox's front end did since start, for the rendezvous's stats ({@code mailbox} in
 * {@code p2pchat.rendezvous.stats}): deposits stored, refusals and drops by reason, mail and notices sent,
 * sent again and acknowledged. Mutated on the verticle's event loop only.
 */
final class MailboxCounters {

  private long deposited;
  private long partsAccepted;
  private long mailSent;
  private long mailAcked;
  private long noticesSent;
  private long noticesAcked;
  /** Registrations whose pick-up needed no read: the mailbox knew it held nothing for them. */
  private long pickUpsSkipped;
  /** Refusals answered on the wire, by their code (the store's reasons and {@code not-enabled}). */
  private final Map<String, Long> refused = new TreeMap<>();
  /** Mailbox messages dropped without an answer, by a named reason. */
  private final Map<String, Long> dropped = new TreeMap<>();

  void deposited() {
    deposited++;
  }

  void partAccepted() {
    partsAccepted++;
  }

  void refused(String reason) {
    refused.merge(reason, 1L, Long::sum);
  }

  void dropped(String reason) {
    dropped.merge(reason, 1L, Long::sum);
  }

  void mailSent(int n) {
    mailSent += n;
  }

  void mailAcked(int n) {
    mailAcked += n;
  }

  void noticesSent(int n) {
    noticesSent += n;
  }

  void noticesAcked(int n) {
    noticesAcked += n;
  }

  void pickUpSkipped() {
    pickUpsSkipped++;
  }

  /** The counters, with {@code resent} (mail and notices sent again) and {@code inFlight} from the sender. */
  JsonObject toJson(long resent, int inFlight, int recipients) {
    JsonObject byReason = new JsonObject();
    refused.forEach(byReason::put);
    JsonObject drops = new JsonObject();
    dropped.forEach(drops::put);
    return new JsonObject().put("deposited", deposited).put("partsAccepted", partsAccepted)
      .put("refused", byReason).put("dropped", drops).put("mailSent", mailSent).put("mailAcked", mailAcked)
      .put("noticesSent", noticesSent).put("noticesAcked", noticesAcked).put("pickUpsSkipped", pickUpsSkipped)
      .put("resent", resent)
      .put("inFlight", inFlight).put("recipients", recipients);
  }
}
