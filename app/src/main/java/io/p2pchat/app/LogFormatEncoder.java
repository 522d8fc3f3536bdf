package io.p2pchat.app;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventJsonProviders;
import net.logstash.logback.composite.loggingevent.LoggingEventPatternJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.composite.loggingevent.StackTraceJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;

import java.util.Locale;

/**
 * The encoder of the launcher's {@code logback.xml}: the plain line of {@code <pattern>} (the default),
 * or, with {@code <format>json</format>} ({@code P2PCHAT_LOG_FORMAT=json}), one JSON object per event
 * for log shippers, with the same fields: {@code time} (ISO 8601 with milliseconds and offset),
 * {@code level}, {@code logger}, {@code node} ({@code main} outside a node), {@code message}, and
 * {@code stack_trace} when the event carries an exception.
 *
 * <p>One encoder that picks its delegate at start, rather than two logback configurations: logback
 * chooses between blocks of a configuration only with Janino ({@code <if>}), which the jar does not carry.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {

  /** The default: one line per event, for people. */
  public static final String PLAIN = "plain";
  /** One JSON object per line, for log shippers. */
  public static final String JSON = "json";
  /** The environment variable that chooses the format (logback.xml reads it; the launcher checks it). */
  public static final String ENV = "P2PCHAT_LOG_FORMAT";
  /** The system property that chooses it ahead of {@link #ENV}. */
  public static final String PROPERTY = "p2pchat.log.format";
  /** The JSON fields besides time and message: the plain line's, named as its columns. */
  static final String JSON_FIELDS = "{\"level\":\"%level\",\"logger\":\"%logger\",\"node\":\"%X{node:-main}\"}";
  static final String TIME_FIELD = "time";
  /** The plain line's time: ISO 8601, milliseconds always written, the offset ({@code Z} in UTC). */
  static final String TIME_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

  private String format = PLAIN;
  private String pattern;
  private Encoder<ILoggingEvent> delegate;

  /** {@code plain} or {@code json} (any case, surrounding blanks ignored). */
  public void setFormat(String format) {
    this.format = format == null ? PLAIN : format.trim().toLowerCase(Locale.ROOT);
  }

  /** The plain line's pattern (a {@link PatternLayoutEncoder}'s). */
  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** Null when {@code format} is {@code plain} or {@code json}, else the one line that says what is wrong. */
  public static String problem(String format) {
    if (format == null) {
      return null;
    }
    String f = format.trim().toLowerCase(Locale.ROOT);
    return f.isEmpty() || f.equals(PLAIN) || f.equals(JSON) ? null
      : ENV + " must be " + PLAIN + " or " + JSON + " (got \"" + format + "\")";
  }

  @Override
  public void start() {
    String problem = problem(format);
    if (problem != null) {
      // The launcher stops start-up on this line before any log is written; embedded, plain lines still flow.
      addError(problem + ": writing plain lines");
    }
    delegate = JSON.equals(format) ? json() : plain();
    super.start();
  }

  private Encoder<ILoggingEvent> plain() {
    PatternLayoutEncoder plain = new PatternLayoutEncoder();
    plain.setContext(getContext());
    plain.setPattern(pattern);
    plain.start();
    return plain;
  }

  private Encoder<ILoggingEvent> json() {
    LoggingEventJsonProviders providers = new LoggingEventJsonProviders();
    LoggingEventFormattedTimestampJsonProvider time = new LoggingEventFormattedTimestampJsonProvider();
    time.setFieldName(TIME_FIELD);
    time.setPattern(TIME_PATTERN);
    providers.addTimestamp(time);
    LoggingEventPatternJsonProvider fields = new LoggingEventPatternJsonProvider();
    fields.setPattern(JSON_FIELDS);
    providers.addPattern(fields);
    providers.addMessage(new MessageJsonProvider());
    providers.addStackTrace(new StackTraceJsonProvider());
    LoggingEventCompositeJsonEncoder json = new LoggingEventCompositeJsonEncoder();
    json.setContext(getContext());
    json.setProviders(providers);
    json.start();
    return json;
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
