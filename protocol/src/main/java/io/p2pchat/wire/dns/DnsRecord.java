package io.p2pchat.wire.dns;

import java.util.List;

/**
 * One resource record of an mDNS message (RFC 1035 section 4.1.3, RFC 6762 section 10.2): its owner
 * name, type, the cache-flush bit mDNS keeps in the class's top bit, its time to live and its data,
 * parsed for the four types DNS-SD needs ({@link Ptr}, {@link Srv}, {@link Txt}, {@link A}) and kept as
 * the skipped length for every other type.
 */
public record DnsRecord(String name, int type, boolean cacheFlush, long ttlSeconds, Data data) {

  /** The parsed RDATA of one record. */
  public sealed interface Data permits Ptr, Srv, Txt, A, Other {
  }

  /** PTR: the service instance a browse for a service type finds. */
  public record Ptr(String target) implements Data {
  }

  /** SRV (RFC 2782): where the instance listens. */
  public record Srv(int priority, int weight, int port, String target) implements Data {
  }

  /** TXT (RFC 6763 section 6): the {@code key=value} strings, as sent (bytes, not yet interpreted). */
  public record Txt(List<String> strings) implements Data {
    public Txt {
      strings = List.copyOf(strings);
    }
  }

  /** A: an IPv4 address, dotted. */
  public record A(String address) implements Data {
  }

  /** Any other type (AAAA, NSEC, HINFO…): its RDATA length only, the bytes are skipped. */
  public record Other(int length) implements Data {
  }
}
