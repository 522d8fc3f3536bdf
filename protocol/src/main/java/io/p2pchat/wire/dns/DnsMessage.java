package io.p2pchat.wire.dns;

import java.util.List;

/**
 * An mDNS message: a query (its questions, and in a DNS-SD query the answers it already knows) or a
 * response (answers and additional records). Authority records are parsed and kept with the
 * additional ones: mDNS uses them only for probing, which this node does not do (its instance name
 * is a random label, see {@code io.p2pchat.lan.LanDiscovery}).
 *
 * @param id the message id: 0 in multicast mDNS (RFC 6762 section 18.1), echoed in a unicast reply
 */
public record DnsMessage(int id, boolean response, List<Question> questions, List<DnsRecord> answers,
                         List<DnsRecord> additionals) {

  /**
   * A question.
   *
   * @param unicastResponse the QU bit (RFC 6762 section 5.4): the asker wants a unicast reply
   */
  public record Question(String name, int type, boolean unicastResponse) {
  }

  public DnsMessage {
    questions = List.copyOf(questions);
    answers = List.copyOf(answers);
    additionals = List.copyOf(additionals);
  }

  /** Every record of the answer and additional sections, in that order. */
  public List<DnsRecord> records() {
    if (additionals.isEmpty()) {
      return answers;
    }
    return java.util.stream.Stream.concat(answers.stream(), additionals.stream()).toList();
  }

  /** One line for logs: kind and section counts, never a record's contents. */
  public String summary() {
    return (response ? "response" : "query") + " q=" + questions.size() + " an=" + answers.size()
      + " ad=" + additionals.size();
  }
}
