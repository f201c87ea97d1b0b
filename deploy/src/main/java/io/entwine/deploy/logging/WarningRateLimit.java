package io.entwine.deploy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.core.util.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Lets through at most one warning (or error) per {@code interval} from each listed logger and
 * counts the rest, reporting the count with the next one let through. For libraries that log on
 * every attempt of a retry loop without pause: pekko-persistence-cassandra 1.1.0's tag writer
 * retries a failed tag write after {@code events-by-tag.flush-interval}, which is 0 here (a flush
 * interval would delay every acknowledgement), and so logged ≈ 10,000 warnings a second while
 * Cassandra was down. Configured in logback.xml:
 *
 * <pre>{@code
 * <turboFilter class="io.entwine.deploy.logging.WarningRateLimit">
 *   <logger>org.apache.pekko.persistence.cassandra.journal.TagWriter</logger>
 *   <interval>10 seconds</interval>
 * </turboFilter>
 * }</pre>
 */
public final class WarningRateLimit extends TurboFilter {
  private static final org.slf4j.Logger log = LoggerFactory.getLogger(WarningRateLimit.class);

  private final Set<String> loggers = ConcurrentHashMap.newKeySet();
  private final List<String> messagePrefixes = new CopyOnWriteArrayList<>();
  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private long intervalMillis = 10_000;

  /** The warnings of one logger in the current interval. */
  private static final class Window {
    private boolean started;
    private long startedAt;
    private long dropped;
  }

  public void addLogger(String name) {
    loggers.add(name);
  }

  /**
   * Limits the warnings whose message starts with {@code prefix}, from any logger: for a library
   * that logs everything through one logger, where only some of its warnings are a client's doing.
   */
  public void addMessage(String prefix) {
    messagePrefixes.add(prefix);
  }

  public void setInterval(Duration interval) {
    this.intervalMillis = interval.getMilliseconds();
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // format is null when a caller only asks whether the level is enabled: it is
    if (format == null || !level.isGreaterOrEqual(Level.WARN)) {
      return FilterReply.NEUTRAL;
    }
    String limited = limitedBy(logger.getName(), format);
    if (limited == null) {
      return FilterReply.NEUTRAL;
    }
    Window window = windows.computeIfAbsent(limited, name -> new Window());
    long droppedBefore;
    synchronized (window) {
      long now = System.currentTimeMillis();
      if (window.started && now - window.startedAt < intervalMillis) {
        window.dropped++;
        return FilterReply.DENY;
      }
      droppedBefore = window.dropped;
      window.started = true;
      window.startedAt = now;
      window.dropped = 0;
    }
    if (droppedBefore > 0) {
      log.warn(
          "{} more warnings of {} were dropped in the last {} ms (at most one per interval is"
              + " logged)",
          droppedBefore,
          limited,
          intervalMillis);
    }
    return FilterReply.NEUTRAL;
  }

  /** The logger or message prefix this warning counts against, or null when it is not limited. */
  private String limitedBy(String loggerName, String format) {
    if (loggers.contains(loggerName)) {
      return loggerName;
    }
    for (String prefix : messagePrefixes) {
      if (format.startsWith(prefix)) {
        return "'" + prefix + "…'";
      }
    }
    return null;
  }
}
