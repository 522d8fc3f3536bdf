package io.p2pchat.rendezvous;

import io.p2pchat.delivery.EnvelopeAssembler;
import io.p2pchat.rendezvous.mailbox.Deposit;
import io.p2pchat.rendezvous.mailbox.Mailbox;
import io.p2pchat.rendezvous.mailbox.MailboxKey;
import io.p2pchat.rendezvous.mailbox.MailboxOptions;
import io.p2pchat.rendezvous.mailbox.MailboxRefusedException;
import io.p2pchat.rendezvous.mailbox.Refusal;
import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.Endpoint;
import io.p2pchat.wire.MailboxControl;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code deposit}: one part of a sealed envelope for a recipient's mailbox, from a registered client whose
 * session's identity is the depositor. Parts are reassembled per depositor ({@link EnvelopeAssembler}); each
 * one is answered {@code deposited {did, part}}; the whole envelope goes to the {@link Mailbox}, and once it is
 * on disk the last part is answered {@code deposited {did, part, seq}} and a recipient registered here now is
 * sent it ({@link MailboxDelivery#deposited}); a refusal is answered {@code refused {did, reason}} with the
 * store's code. A retried deposit id is answered with its stored seq (the store's idempotence, and here a
 * short memory of recent ones, so a retried part of an envelope stored already is not reassembled again).
 * With the mailbox off: {@code refused not-enabled}.
 */
final class DepositHandler extends MailboxCommandHandler {

  /** The refusal of a rendezvous whose mailbox is off (PROTOCOL.md): not one of the store's codes. */
  static final String NOT_ENABLED = "not-enabled";
  /** Envelopes in progress per depositor: the design's bound (PROTOCOL.md), ~263 KB per depositor at most. */
  static final int MAX_INCOMPLETE_PER_DEPOSITOR = 4;
  /** A partly deposited envelope without a part for this long is forgotten: the client retries parts in 5 s at most. */
  static final long PART_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);
  /**
   * Depositors with envelopes in progress at once (the least recently active is evicted past it): bounds the
   * assemblers to 256 × 263 KB = 67 MB however many clients deposit the largest envelopes together; a
   * 353-byte envelope is one part and never waits here.
   */
  static final int MAX_ASSEMBLING_DEPOSITORS = 256;
  /**
   * Deposits remembered with their seq (~150 bytes each): a retried last part whose {@code deposited} was
   * lost is answered at once. Beyond it the store still answers the id when all parts come again.
   */
  static final int RECENT_DEPOSITS = 4096;

  /** Null when the mailbox is off. */
  private final Mailbox mailbox;
  private final MailboxDelivery delivery;
  private final MailboxCounters counters;
  /** The most parts an envelope within {@code maxEnvelopeBytes} has: more is refused {@code too-large} at once. */
  private final int maxParts;
  private final LinkedHashMap<MailboxKey, EnvelopeAssembler<String>> assembling =
    new LinkedHashMap<>(16, 0.75f, true);
  private final LinkedHashMap<String, Long> recent = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > RECENT_DEPOSITS;
    }
  };

  /** {@code mailbox} and {@code options} null: the mailbox is off. */
  DepositHandler(Registry registry, Outbox outbox, Mailbox mailbox, MailboxOptions options, MailboxDelivery delivery,
                 MailboxCounters counters) {
    super(registry, outbox);
    this.mailbox = mailbox;
    this.delivery = delivery;
    this.counters = counters;
    this.maxParts = options == null ? 0
      : (options.getMaxEnvelopeBytes() + MailboxControl.PART_BYTES - 1) / MailboxControl.PART_BYTES;
  }

  @Override
  void handle(Exchange ex, JsonObject msg, Registration client, MailboxKey depositor) throws WireException {
    MailboxControl.DepositPart part = MailboxControl.decodeDeposit(msg);
    if (mailbox == null) {
      refuse(ex, ex.from, part.did(), NOT_ENABLED);
      return;
    }
    // The whole key (its short log id could be made to collide) and the id, which has no '/'.
    String remembered = java.util.Base64.getEncoder().encodeToString(depositor.raw()) + "/" + part.did();
    Long stored = recent.get(remembered);
    if (stored != null) {
      outbox.tellMailbox(ex, ex.from, new MailboxControl.Deposited(part.did(), part.part(), stored).toJson());
      return;
    }
    if (part.parts() > maxParts) {
      refuse(ex, ex.from, part.did(), Refusal.TOO_LARGE.code());
      return;
    }
    if (part.parts() == 1) {
      // The common case (every plaintext up to 414 bytes): nothing to reassemble, nothing kept.
      counters.partAccepted();
      store(ex, new Deposit(MailboxKey.of(part.to()), depositor, part.did(), part.data()), 1, remembered);
      return;
    }
    long now = System.currentTimeMillis();
    EnvelopeAssembler<String> assembler = assemblerOf(depositor);
    switch (assembler.accept(part.did(), part.part(), part.parts(), part.data(), now)) {
      case REFUSED:
        counters.dropped("part-contradicts");
        throw new WireException(DropReason.MALFORMED, "deposit part " + part.part() + "/" + part.parts()
          + " contradicts its envelope's other parts");
      case PARTIAL:
      case DUPLICATE:
        counters.partAccepted();
        outbox.tellMailbox(ex, ex.from, new MailboxControl.Deposited(part.did(), part.part(), 0).toJson());
        return;
      case COMPLETE:
      default:
        counters.partAccepted();
        byte[] envelope = assembler.complete();
        if (assembler.incomplete() == 0) {
          assembling.remove(depositor);
        }
        store(ex, new Deposit(MailboxKey.of(part.to()), depositor, part.did(), envelope), part.part(), remembered);
    }
  }

  /** Hands a whole envelope to the mailbox; answered once it is on disk, or refused. */
  private void store(Exchange ex, Deposit deposit, int lastPart, String remembered) {
    ex.handled(); // answered later, after the fsync
    Endpoint from = ex.from;
    mailbox.deposit(deposit, System.currentTimeMillis()).onComplete(ar -> {
      if (ar.succeeded()) {
        counters.deposited();
        recent.put(remembered, ar.result());
        outbox.tellMailbox(null, from, new MailboxControl.Deposited(deposit.depositId(), lastPart, ar.result()).toJson());
        delivery.deposited(deposit.recipient());
      } else {
        refuse(null, from, deposit.depositId(), ar.cause() instanceof MailboxRefusedException r
          ? r.refusal().code() : Refusal.UNAVAILABLE.code());
      }
    });
  }

  private void refuse(Exchange ex, Endpoint to, String did, String reason) {
    counters.refused(reason);
    outbox.tellMailbox(ex, to, new MailboxControl.Refused(did, reason).toJson());
  }

  /** The depositor's assembler, made (and the least recently active one evicted past the bound) when needed. */
  private EnvelopeAssembler<String> assemblerOf(MailboxKey depositor) {
    EnvelopeAssembler<String> a = assembling.get(depositor);
    if (a == null) {
      if (assembling.size() >= MAX_ASSEMBLING_DEPOSITORS) {
        Iterator<EnvelopeAssembler<String>> eldest = assembling.values().iterator();
        eldest.next();
        eldest.remove();
        counters.dropped("assembly-evicted");
      }
      a = new EnvelopeAssembler<>(MAX_INCOMPLETE_PER_DEPOSITOR, maxParts, MailboxControl.PART_BYTES, PART_TIMEOUT_MILLIS);
      assembling.put(depositor, a);
    }
    return a;
  }

  /** Depositors with an assembler now. */
  int assembling() {
    return assembling.size();
  }
}
