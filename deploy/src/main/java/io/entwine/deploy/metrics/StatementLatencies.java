package io.entwine.deploy.metrics;

import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.session.Request;
import com.datastax.oss.driver.api.core.tracker.RequestTracker;
import io.entwine.metrics.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each CQL statement's latency as the driver saw it, by statement kind: the verb and the table
 * ({@code insert messages} = the journal's row, {@code batch insert tag_views} = the tag writer's,
 * {@code insert tag_write_progress}, {@code insert historian_raw}…), so that a slow journal write
 * can be told apart from a slow tag write (issue 25, docs/adr/0079). The driver's own {@code
 * cassandra_session_cql_requests_seconds} has them all in one histogram. With a slow threshold,
 * every statement at least that slow is also logged (at WARN, with its kind, node and latency,
 * never its values); off unless {@code entwine.cassandra.slow-statement-threshold} is set, since a
 * stalled Cassandra would otherwise fill the log.
 */
final class StatementLatencies implements RequestTracker {
  static final String LATENCY = "entwine.cassandra.statement.latency";
  private static final Logger log = LoggerFactory.getLogger(StatementLatencies.class);
  // kinds are few (the prepared statements of the journal and the read models); the rest is other
  private static final int MAX_KINDS = 64;
  private static final Pattern TABLE =
      Pattern.compile(
          "^\\s*(insert\\s+into|update|delete\\s.*?\\bfrom|select\\s.*?\\bfrom)\\s+(?:\\w+\\.)?\"?(\\w+)",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private final MeterRegistry registry;
  private final long slowNanos;
  private final Map<String, Timer> byQuery = new ConcurrentHashMap<>();
  private final Map<String, Timer> byKind = new ConcurrentHashMap<>();

  StatementLatencies(MeterRegistry registry, Duration slowThreshold) {
    this.registry = registry;
    this.slowNanos = slowThreshold.isZero() ? Long.MAX_VALUE : slowThreshold.toNanos();
  }

  @Override
  public void onSuccess(
      Request request,
      long latencyNanos,
      DriverExecutionProfile profile,
      Node node,
      String requestLogPrefix) {
    recorded(request, latencyNanos, node, "");
  }

  @Override
  public void onError(
      Request request,
      Throwable error,
      long latencyNanos,
      DriverExecutionProfile profile,
      Node node,
      String requestLogPrefix) {
    recorded(request, latencyNanos, node, " (failed: " + error.getClass().getSimpleName() + ")");
  }

  @Override
  public void close() {
    // the timers stay registered: the node's registry outlives a session
  }

  private void recorded(Request request, long latencyNanos, Node node, String outcome) {
    String query = query(request);
    Timer timer = byQuery.get(query);
    if (timer == null) {
      timer = timer(kind(query));
      if (byQuery.size() < 4 * MAX_KINDS) {
        byQuery.put(query, timer);
      }
    }
    timer.record(latencyNanos, TimeUnit.NANOSECONDS);
    if (latencyNanos >= slowNanos) {
      log.warn(
          "Slow CQL statement {}: {} ms on {}{}",
          timer.getId().getTag("statement"),
          String.format(Locale.ROOT, "%.1f", latencyNanos / 1e6),
          node == null ? "no node" : node.getEndPoint(),
          outcome);
    }
  }

  private Timer timer(String kind) {
    String tag = byKind.containsKey(kind) || byKind.size() < MAX_KINDS ? kind : "other";
    return byKind.computeIfAbsent(
        tag,
        k ->
            Timer.builder(LATENCY)
                .description(
                    "Latency of each CQL statement as the driver saw it, by statement kind (verb and"
                        + " table); docs/adr/0079")
                .tag("statement", k)
                .serviceLevelObjectives(Meters.LATENCY_BUCKETS)
                .register(registry));
  }

  /** The text that identifies a request's statement (a batch's: its first statement's). */
  private static String query(Request request) {
    if (request instanceof BatchStatement batch) {
      for (BatchableStatement<?> statement : batch) {
        return "batch " + query(statement);
      }
      return "batch";
    }
    if (request instanceof BoundStatement bound) {
      return bound.getPreparedStatement().getQuery();
    }
    if (request instanceof SimpleStatement simple) {
      return simple.getQuery();
    }
    return request.getClass().getSimpleName();
  }

  /** {@code insert messages}, {@code batch insert tag_views}, {@code select tag_views}… */
  static String kind(String query) {
    String prefix = "";
    String statement = query;
    if (statement.startsWith("batch ")) {
      prefix = "batch ";
      statement = statement.substring("batch ".length());
    }
    Matcher matcher = TABLE.matcher(statement);
    if (!matcher.find()) {
      return prefix.isEmpty() ? "other" : "batch other";
    }
    String verb = matcher.group(1).trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
    return prefix + verb + " " + matcher.group(2).toLowerCase(Locale.ROOT);
  }
}
