package io.entwine.http.server;

import static io.entwine.http.common.ApiResponses.json;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/alive}: the process answers. {@code /health/ready}: every readiness check passes
 * (Cassandra, cluster sharding, the HTTP server), so a load balancer may send traffic.
 */
public final class HealthRoutes extends AllDirectives {

  /** One named readiness check; a failed or exceptional stage counts as not ready. */
  public record Check(String name, Supplier<CompletionStage<Boolean>> probe) {}

  public record Health(String status, Map<String, String> checks) {}

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final List<Check> checks;

  public HealthRoutes(List<Check> checks) {
    this.checks = List.copyOf(checks);
  }

  public Route route() {
    return pathPrefix(
        "health",
        () ->
            concat(
                path(
                    "alive",
                    () -> get(() -> complete(json(StatusCodes.OK, new Health("UP", Map.of()))))),
                path("ready", () -> get(this::ready))));
  }

  private Route ready() {
    List<CompletableFuture<Boolean>> results =
        checks.stream().map(check -> safely(check.probe()).toCompletableFuture()).toList();
    CompletableFuture<Health> health =
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
            .thenApply(
                ignored -> {
                  Map<String, String> byName = new LinkedHashMap<>();
                  boolean allUp = true;
                  for (int i = 0; i < checks.size(); i++) {
                    boolean up = results.get(i).join();
                    allUp &= up;
                    byName.put(checks.get(i).name(), up ? "UP" : "DOWN");
                  }
                  return new Health(allUp ? "UP" : "DOWN", byName);
                });
    return onSuccess(
        health,
        h ->
            complete(
                json(
                    "UP".equals(h.status()) ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
                    h)));
  }

  private static CompletionStage<Boolean> safely(Supplier<CompletionStage<Boolean>> probe) {
    try {
      // A copy, so a timeout never completes a future the check shares with others.
      return probe
          .get()
          .toCompletableFuture()
          .copy()
          .thenApply(Boolean.TRUE::equals)
          .completeOnTimeout(false, PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(failure -> false);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(false);
    }
  }
}
