package io.entwine.http.server;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the node's metrics as Prometheus text, or 503 while the node is starting
 * and has nothing to report yet. Served on the management endpoint (docs/operations.md).
 */
public final class MetricsRoutes extends AllDirectives {
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
        text,
        body -> complete(HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, body)));
  }

  private Route starting() {
    return complete(StatusCodes.SERVICE_UNAVAILABLE, "The node is starting; no metrics yet");
  }
}
