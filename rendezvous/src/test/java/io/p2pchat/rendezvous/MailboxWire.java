package io.p2pchat.rendezvous;

import io.p2pchat.wire.Control;
import io.p2pchat.wire.ControlType;
import io.p2pchat.wire.MailboxControl;
import io.p2pchat.wire.WireException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A test client's side of the mailbox's control messages, over a {@link UdpClient}'s sealed session. */
final class MailboxWire {

  /** How long a test waits for one answer before sending again: the node's first retry interval. */
  static final long RETRY_NANOS = 250_000_000L;
  /** Tries of one part before the test fails: with 20 % loss each way, 40 losses in a row never happen. */
  private static final int MAX_TRIES = 40;

  private MailboxWire() {
  }

  /** A message received: its seq, depositor, deposit time and the whole envelope. */
  record Mail(long seq, byte[] from, long at, byte[] envelope) {
  }

  /**
   * Deposits {@code envelope} for {@code to} as {@code did}, part by part, each sent again until answered (as a
   * node does); returns the final answer: {@code deposited} with its seq, or {@code refused}.
   */
  static JsonObject deposit(UdpClient c, String did, byte[] to, byte[] envelope) {
    List<MailboxControl.DepositPart> parts = MailboxControl.split(did, to, envelope);
    for (MailboxControl.DepositPart part : parts) {
      boolean last = part.part() == parts.size();
      for (int tries = 0; ; tries++) {
        if (tries == MAX_TRIES) {
          throw new AssertionError("no answer to part " + part.part() + " of " + did);
        }
        c.sendControl(part.toJson());
        JsonObject answer = answerTo(c, did, part.part(), System.nanoTime() + RETRY_NANOS * (1 + tries % 4));
        if (answer == null) {
          continue;
        }
        if ("refused".equals(answer.getString(Control.TYPE)) || (last && answer.containsKey("seq"))) {
          return answer;
        }
        if (!last) {
          break;
        }
      }
    }
    throw new AssertionError("BUG: the last part returns");
  }

  /** The {@code deposited} for part {@code part} of {@code did} (with a seq for the last one), or a {@code refused}, or null. */
  private static JsonObject answerTo(UdpClient c, String did, int part, long deadline) {
    while (true) {
      JsonObject msg = c.receiveControlUntil(null, deadline);
      if (msg == null) {
        return null;
      }
      String t = msg.getString(Control.TYPE);
      if (did.equals(msg.getString("did")) && ("refused".equals(t)
        || ("deposited".equals(t) && msg.getInteger("part") == part))) {
        return msg;
      }
    }
  }

  /**
   * Receives mail until {@code count} distinct messages are whole, acknowledging each one once it is (as a node
   * does after its journal holds it), and returns them in the order they became whole; repeats are acknowledged
   * again and not returned. {@code ackFilter} may drop an ack (the test's own loss), returning false.
   */
  static List<Mail> pickUp(UdpClient c, int count, java.util.function.BooleanSupplier sendAck) {
    List<Mail> out = new ArrayList<>();
    java.util.Map<Long, byte[][]> partial = new java.util.HashMap<>();
    java.util.Set<Long> whole = new java.util.HashSet<>();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (out.size() < count) {
      JsonObject msg = c.receiveControlUntil(ControlType.MAIL, deadline);
      if (msg == null) {
        throw new AssertionError("mail: " + out.size() + " of " + count + " within 60 s");
      }
      MailboxControl.MailPart p;
      try {
        p = MailboxControl.decodeMail(msg);
      } catch (WireException e) {
        throw new AssertionError(e);
      }
      if (whole.contains(p.seq())) {
        if (sendAck.getAsBoolean()) {
          c.sendControl(ack(p.seq()));
        }
        continue;
      }
      byte[][] parts = partial.computeIfAbsent(p.seq(), s -> new byte[p.parts()][]);
      parts[p.part() - 1] = p.data();
      boolean complete = true;
      for (byte[] b : parts) {
        complete &= b != null;
      }
      if (!complete) {
        continue;
      }
      ByteArrayOutputStream env = new ByteArrayOutputStream();
      for (byte[] b : parts) {
        env.writeBytes(b);
      }
      partial.remove(p.seq());
      whole.add(p.seq());
      out.add(new Mail(p.seq(), p.from(), p.at(), env.toByteArray()));
      if (sendAck.getAsBoolean()) {
        c.sendControl(ack(p.seq()));
      }
    }
    return out;
  }

  static JsonObject ack(long... seqs) {
    JsonArray a = new JsonArray();
    for (long s : seqs) {
      a.add(s);
    }
    return new JsonObject().put(Control.TYPE, "mail-ack").put("seqs", a);
  }

  /** The rendezvous's mailbox figures ({@code stats().mailbox}). */
  static JsonObject stats(RendezvousHarness server) {
    return server.stats().getJsonObject("mailbox");
  }
}
