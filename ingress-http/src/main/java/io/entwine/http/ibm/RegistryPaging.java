package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;

import io.entwine.http.common.ApiDirectives;
import io.entwine.identity.Ids;
import io.entwine.registry.view.RegisteredDevice;
import io.entwine.registry.view.RegistryRepository;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM v0002-style paging for the v0001 device lists: with {@code _limit} and/or {@code _bookmark} a
 * list call answers {@code {"results": [...], "rowCount": n, "bookmark": "..."}} (the bookmark only
 * when more devices follow); without them it answers the v0001 array as before.
 */
public final class RegistryPaging extends ApiDirectives {
  static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  /** One page of devices in the v0002 shape. */
  record Page(List<DeviceJson.Device> results, int rowCount, String bookmark) {}

  private final RegistryRepository registry;

  RegistryPaging(RegistryRepository registry) {
    this.registry = registry;
  }

  /** The paged list of {@code org}'s devices (of {@code type} when not null), or {@code plain}. */
  Route list(String org, String type, Supplier<Route> plain) {
    return pageParameters(
        (limitParam, bookmark) ->
            limitParam.isEmpty() && bookmark.isEmpty()
                ? plain.get()
                : pageSize(limitParam, DEFAULT_LIMIT, limit -> page(org, type, limit, bookmark)));
  }

  private Route page(String org, String type, int limit, Optional<String> bookmark) {
    String[] after = bookmark.isPresent() ? decode(bookmark.get()) : new String[0];
    if (after == null) {
      return complete(error(StatusCodes.BAD_REQUEST, "Invalid _bookmark"));
    }
    int pageSize = limit;
    return onSuccess(
        registry.devicesAfter(
            org,
            type,
            after.length == 0 ? null : after[0],
            after.length == 0 ? null : after[1],
            limit + 1),
        devices -> {
          List<RegisteredDevice> shown = devices.subList(0, Math.min(pageSize, devices.size()));
          String next = devices.size() > pageSize ? encode(shown.get(shown.size() - 1)) : null;
          return complete(
              json(
                  StatusCodes.OK,
                  new Page(shown.stream().map(DeviceJson::of).toList(), shown.size(), next)));
        });
  }

  /** IBM's paging parameters {@code _limit} and {@code _bookmark}, as the request gives them. */
  public static Route pageParameters(BiFunction<Optional<String>, Optional<String>, Route> inner) {
    return Directives.parameterOptional(
        "_limit",
        limit ->
            Directives.parameterOptional("_bookmark", bookmark -> inner.apply(limit, bookmark)));
  }

  /**
   * {@code inner} of the page size {@code limitParam} asks for ({@code defaultLimit} when absent),
   * or 400 unless it is a whole number from 1 to {@link #MAX_LIMIT}.
   */
  public static Route pageSize(
      Optional<String> limitParam, int defaultLimit, IntFunction<Route> inner) {
    int limit = limit(limitParam, defaultLimit);
    return limit < 1
        ? Directives.complete(
            error(StatusCodes.BAD_REQUEST, "_limit must be a whole number from 1 to " + MAX_LIMIT))
        : inner.apply(limit);
  }

  /** {@code _limit} as given, or {@code defaultLimit} when absent; -1 when out of range. */
  private static int limit(Optional<String> param, int defaultLimit) {
    try {
      int limit = param.map(value -> Integer.parseInt(value.strip())).orElse(defaultLimit);
      return limit >= 1 && limit <= MAX_LIMIT ? limit : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The position after a device: base64url of {@code type/id} (neither contains a slash). */
  static String encode(RegisteredDevice device) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((device.type() + "/" + device.id()).getBytes(StandardCharsets.UTF_8));
  }

  static String[] decode(String bookmark) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(bookmark.strip()), StandardCharsets.UTF_8)
              .split("/", -1);
      if (parts.length == 2
          && Ids.checkDevicePart("type", parts[0]).isEmpty()
          && Ids.checkDevicePart("id", parts[1]).isEmpty()) {
        return parts;
      }
    } catch (IllegalArgumentException e) {
      // not base64
    }
    return null;
  }
}
