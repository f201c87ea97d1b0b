package io.entwine.http.historian;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.historian.HistorianScope;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.identity.DeviceKey;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The historian's three scopes (organization, device type, device) under one IBM API version,
 * behind the API key that names the organization. The versions nest them alike and differ only in
 * the path: v0001 {@code /historian/{T}/{ID}}, v0002 {@code /historian/types/{T}/devices/{ID}}.
 */
final class HistorianScopes extends ApiDirectives {
  static final HistorianScopes V0001 = new HistorianScopes(new Paths("v0001", null, null));
  static final HistorianScopes V0002 = new HistorianScopes(new Paths("v0002", "types", "devices"));

  /** A null segment: the type (or id) follows the level above it directly. */
  private record Paths(String version, String types, String devices) {}

  private final Paths paths;

  private HistorianScopes(Paths paths) {
    this.paths = paths;
  }

  /** GET requests on this version's historian paths, each answered by {@code query}. */
  Route route(Authentication authentication, Function<HistorianScope, Route> query) {
    return pathPrefix(
        segment("api").slash(paths.version()).slash("historian"),
        () -> get(() -> authentication.apiKey(principal -> scopes(principal.org(), query))));
  }

  private Route scopes(String org, Function<HistorianScope, Route> query) {
    return concat(
        pathEndOrSingleSlash(() -> query.apply(HistorianScope.organization(org))),
        below(paths.types(), () -> deviceTypeSegment(type -> typeScopes(org, type, query))));
  }

  private Route typeScopes(String org, String type, Function<HistorianScope, Route> query) {
    return concat(
        pathEndOrSingleSlash(() -> query.apply(HistorianScope.deviceType(org, type))),
        below(paths.devices(), () -> pathPrefix(segment(), id -> device(org, type, id, query))));
  }

  private Route device(String org, String type, String id, Function<HistorianScope, Route> query) {
    DeviceKey device = new DeviceKey(org, type, id);
    return pathEndOrSingleSlash(
        () -> validDevicePart("device id", id, () -> query.apply(HistorianScope.device(device))));
  }

  private Route below(String literal, Supplier<Route> inner) {
    return literal == null ? inner.get() : pathPrefix(literal, inner);
  }
}
