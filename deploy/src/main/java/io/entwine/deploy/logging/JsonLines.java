package io.entwine.deploy.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Logback's own {@link JsonEncoder} (one JSON object per line: level, logger, thread, message, MDC,
 * the key-value pairs log statements add such as {@code clientId}, the throwable) plus {@code
 * time}, the event's time as ISO-8601 UTC with milliseconds, which log collectors parse without
 * knowing that {@code timestamp} is epoch milliseconds. Chosen by {@code ENTWINE_LOG_FORMAT=json}
 * (logback.xml; docs/operations.md, "Logs").
 */
public class JsonLines extends JsonEncoder {
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

  @Override
  protected void appendCustomFields(StringBuilder json, ILoggingEvent event) {
    json.append(",\"time\":\"")
        .append(ISO_MILLIS.format(Instant.ofEpochMilli(event.getTimeStamp())))
        .append('"');
  }
}
