package io.entwine.http.admin;

import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.projection.SliceLag;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** The operator's view of the read side: lag per projection slice. */
public final class ProjectionRoutes extends ApiDirectives {

  /** The answer of {@code GET /api/v0002/admin/projections}. */
  public record ProjectionsResponse(Long maxLagMillis, List<SliceLag> slices) {}

  private final Authentication authentication;
  private final Supplier<CompletionStage<List<SliceLag>>> lags;

  public ProjectionRoutes(
      Authentication authentication, Supplier<CompletionStage<List<SliceLag>>> lags) {
    this.authentication = authentication;
    this.lags = lags;
  }

  public Route route() {
    return path(
        segment("api").slash("v0002").slash("admin").slash("projections"),
        () ->
            get(
                () ->
                    authentication.operator(
                        () ->
                            onSuccess(
                                lags.get(),
                                slices ->
                                    complete(
                                        json(
                                            StatusCodes.OK,
                                            new ProjectionsResponse(maxLag(slices), slices)))))));
  }

  /** The largest known lag; null when a slice has not stored an offset while events wait. */
  static Long maxLag(List<SliceLag> slices) {
    if (slices.stream().map(SliceLag::lagMillis).anyMatch(Objects::isNull)) {
      return null;
    }
    return slices.stream().mapToLong(SliceLag::lagMillis).max().orElse(0);
  }
}
