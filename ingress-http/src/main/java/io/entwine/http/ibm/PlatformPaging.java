package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;

import io.entwine.http.common.ApiDirectives;
import io.entwine.identity.Ids;
import io.entwine.protocol.Reply;
import io.entwine.registry.view.DeviceTypeCount;
import io.entwine.registry.view.RegisteredDevice;
import io.entwine.registry.view.RegistryRepository;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Paging and sorting of the v0002 list calls as IBM documents them: {@code _limit} (25 unless
 * given, at most {@link RegistryPaging#MAX_LIMIT}), {@code _bookmark} from the previous page
 * (present in a page only when more results follow), {@code _sort} (a comma-separated list of
 * fields, {@code -} before one for descending order), and {@code meta.total_rows}. Device lists
 * come from the registry read model, ordered by typeId, then deviceId; device types from their
 * catalog, by id either way.
 */
final class PlatformPaging extends ApiDirectives {
  static final int DEFAULT_LIMIT = 25;

  private final RegistryRepository registry;

  PlatformPaging(RegistryRepository registry) {
    this.registry = registry;
  }

  /** A page of the organization's devices, of {@code type} when it is not null. */
  Route devices(String org, String type) {
    return paging(
        (limit, bookmark, sort) -> {
          if (sort.isPresent() && !isDeviceOrder(sort.get(), type != null)) {
            return complete(
                error(
                    StatusCodes.BAD_REQUEST,
                    "Device lists are sorted by typeId, then deviceId, ascending: _sort may be "
                        + (type != null
                            ? "'deviceId' or 'typeId'"
                            : "'typeId' or 'typeId,deviceId'")));
          }
          String[] after = bookmark.isPresent() ? RegistryPaging.decode(bookmark.get()) : null;
          if (bookmark.isPresent() && after == null) {
            return complete(error(StatusCodes.BAD_REQUEST, "Invalid _bookmark"));
          }
          return onSuccess(
              registry.devicesAfter(
                  org,
                  type,
                  after == null ? null : after[0],
                  after == null ? null : after[1],
                  limit + 1),
              devices ->
                  onSuccess(
                      registry.deviceTypes(org),
                      counts -> complete(devicePage(devices, limit, total(counts, type)))));
        });
  }

  /** A page of {@code types} (all the organization's, ordered by id). */
  Route types(Reply.DeviceTypeList types) {
    return paging(
        (limit, bookmark, sort) -> {
          boolean descending = sort.isPresent() && sort.get().strip().equals("-id");
          if (sort.isPresent() && !descending && !sort.get().strip().equals("id")) {
            return complete(
                error(
                    StatusCodes.BAD_REQUEST,
                    "Device types are sorted by id: _sort may be 'id' or '-id'"));
          }
          String after = bookmark.map(PlatformPaging::decodeId).orElse(null);
          if (bookmark.isPresent() && after == null) {
            return complete(error(StatusCodes.BAD_REQUEST, "Invalid _bookmark"));
          }
          Comparator<String> order =
              descending ? Comparator.<String>reverseOrder() : Comparator.<String>naturalOrder();
          List<Reply.DeviceTypeInfo> sorted = new ArrayList<>(types.types());
          sorted.sort(Comparator.comparing(Reply.DeviceTypeInfo::id, order));
          List<Reply.DeviceTypeInfo> following =
              sorted.stream()
                  .filter(t -> after == null || order.compare(t.id(), after) > 0)
                  .limit(limit + 1L)
                  .toList();
          List<Reply.DeviceTypeInfo> shown =
              following.subList(0, Math.min(limit, following.size()));
          String next =
              following.size() > limit ? encodeId(shown.get(shown.size() - 1).id()) : null;
          return complete(
              json(
                  StatusCodes.OK,
                  new PlatformJson.Page<>(
                      shown.stream().map(PlatformJson::of).toList(),
                      new PlatformJson.Meta(sorted.size()),
                      next)));
        });
  }

  @FunctionalInterface
  private interface PageRoute {
    Route page(int limit, Optional<String> bookmark, Optional<String> sort);
  }

  private Route paging(PageRoute inner) {
    return parameterOptional(
        "_limit",
        limitParam ->
            parameterOptional(
                "_bookmark",
                bookmark ->
                    parameterOptional(
                        "_sort",
                        sort -> {
                          int limit = RegistryPaging.limit(limitParam, DEFAULT_LIMIT);
                          if (limit < 1) {
                            return complete(
                                error(
                                    StatusCodes.BAD_REQUEST,
                                    "_limit must be a whole number from 1 to "
                                        + RegistryPaging.MAX_LIMIT));
                          }
                          return inner.page(limit, bookmark, sort.map(PlatformPaging::unbracket));
                        })));
  }

  /** IBM's documentation shows sort fields in square brackets; both forms are accepted. */
  private static String unbracket(String sort) {
    String s = sort.strip();
    return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
  }

  private static boolean isDeviceOrder(String sort, boolean oneType) {
    Set<String> allowed =
        oneType
            ? Set.of("deviceId", "typeId", "typeId,deviceId")
            : Set.of("typeId", "typeId,deviceId");
    return allowed.contains(sort.replace(" ", ""));
  }

  private static long total(List<DeviceTypeCount> counts, String type) {
    return counts.stream()
        .filter(count -> type == null || count.type().equals(type))
        .mapToLong(DeviceTypeCount::count)
        .sum();
  }

  private static HttpResponse devicePage(List<RegisteredDevice> devices, int limit, long total) {
    List<RegisteredDevice> shown = devices.subList(0, Math.min(limit, devices.size()));
    String next =
        devices.size() > limit ? RegistryPaging.encode(shown.get(shown.size() - 1)) : null;
    return json(
        StatusCodes.OK,
        new PlatformJson.Page<>(
            shown.stream().map(PlatformJson::of).toList(), new PlatformJson.Meta(total), next));
  }

  private static String encodeId(String id) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeId(String bookmark) {
    try {
      String id =
          new String(Base64.getUrlDecoder().decode(bookmark.strip()), StandardCharsets.UTF_8);
      return Ids.checkDevicePart("type", id).isEmpty() ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
