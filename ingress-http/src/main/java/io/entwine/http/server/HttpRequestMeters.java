package io.entwine.http.server;

import io.entwine.metrics.Meters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Times every HTTP request by route template, method and status ({@code
 * entwine_http_server_requests_seconds}, docs/operations.md "Metrics"). The template keeps the
 * path's literal segments, the words the routes match, and writes {@code {}} for every other
 * segment, so device ids, organizations and keys never become label values; the number of templates
 * is bounded ({@link #MAX_TEMPLATES}), later ones count as {@code other}.
 */
final class HttpRequestMeters {
  static final String NAME = "entwine.http.server.requests";
  static final int MAX_TEMPLATES = 200;
  static final String OTHER = "other";
  private static final int MAX_SEGMENTS = 12;

  /** Every literal path segment the API's routes match (ingress-http's route classes). */
  private static final Set<String> LITERALS =
      Set.of(
          "adapters",
          "active-devices",
          "admin",
          "alive",
          "api",
          "apikeys",
          "application",
          "attributes",
          "bridges",
          "clientconnectionstates",
          "command",
          "commands",
          "connection",
          "credentials",
          "data-traffic",
          "device",
          "device-types",
          "devices",
          "event",
          "events",
          "gateways",
          "hashed-password",
          "health",
          "historian",
          "historical-data",
          "hono-http",
          "http",
          "integrations",
          "limits",
          "logs",
          "mqtt",
          "organizations",
          "projections",
          "publish",
          "ready",
          "res",
          "telemetry",
          "trust-anchors",
          "types",
          "usage",
          "v0001",
          "v0002",
          "v1",
          "webhooks",
          "x509-cert");

  private final MeterRegistry registry;
  // "METHOD template" → timers by status code (100–599), registered on first use
  private final Map<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

  HttpRequestMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(HttpRequest request, int status, long startNanos) {
    String method = request.method().value();
    String template = template(request.getUri().pathSegments());
    AtomicReferenceArray<Timer> byStatus = timers.get(method + ' ' + template);
    if (byStatus == null) {
      if (timers.size() >= MAX_TEMPLATES) {
        template = OTHER;
      }
      byStatus =
          timers.computeIfAbsent(method + ' ' + template, k -> new AtomicReferenceArray<>(500));
    }
    int slot = Math.min(Math.max(status, 100), 599) - 100;
    Timer timer = byStatus.get(slot);
    if (timer == null) {
      byStatus.compareAndSet(slot, null, timer(method, template, slot + 100));
      timer = byStatus.get(slot);
    }
    timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(String method, String template, int status) {
    return Timer.builder(NAME)
        .description("HTTP requests on the API ports by route template, method and status")
        .tag("method", method)
        .tag("route", template)
        .tag("status", Integer.toString(status))
        .serviceLevelObjectives(Meters.LATENCY_BUCKETS)
        .register(registry);
  }

  /** The path with each segment that is not one of the routes' literals written as {@code {}}. */
  static String template(Iterable<String> segments) {
    StringBuilder template = new StringBuilder();
    int count = 0;
    for (String segment : segments) {
      if (++count > MAX_SEGMENTS) {
        return OTHER;
      }
      template.append('/').append(segment.isEmpty() || LITERALS.contains(segment) ? segment : "{}");
    }
    return template.length() == 0 ? "/" : template.toString();
  }
}
