package io.entwine.http.server;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the node's metrics in the Prometheus text exposition format, version 0.0.4,
 * or 503 while the node is starting and has nothing to report yet. Served on the management
 * endpoint (docs/operations.md).
 */
public final class MetricsRoutes extends AllDirectives {
  /** {@code text/plain; version=0.0.4; charset=utf-8}, as the Prometheus exposition formats say. */
  public static final ContentType.WithCharset PROMETHEUS_TEXT =
      MediaTypes.customWithOpenCharset("text", "plain", Map.of("version", "0.0.4"), false)
          .toContentType(HttpCharsets.UTF_8);

  private final Supplier<Optional<CompletionStage<String>>> scrape;

  /** {@code scrape}: the metrics text, empty while the node is starting. */
  public MetricsRoutes(Supplier<Optional<CompletionStage<String>>> scrape) {
    this.scrape = scrape;
  }

  public Route route() {
    return path(
        "metrics", () -> get(() -> scrape.get().map(this::metrics).orElseGet(this::starting)));
  }

  private Route metrics(CompletionStage<String> text) {
    return onSuccess(
        text, body -> complete(HttpResponse.create().withEntity(PROMETHEUS_TEXT, body)));
  }

  private Route starting() {
    return complete(StatusCodes.SERVICE_UNAVAILABLE, "The node is starting; no metrics yet");
  }
}
