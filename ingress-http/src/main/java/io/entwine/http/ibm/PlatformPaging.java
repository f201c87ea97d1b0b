package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.IdBookmarks;
import io.entwine.identity.Ids;
import io.entwine.protocol.Reply;
import io.entwine.registry.view.DeviceTypeCount;
import io.entwine.registry.view.RegisteredDevice;
import io.entwine.registry.view.RegistryRepository;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
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

  /**
   * A page of the organization's devices, of {@code type} when it is not null; then {@code
   * deviceId} may name one device ({@code lab-1}) or an id prefix ({@code lab-*}). IBM's {@code
   * deviceInfo.*} filters select by the device's deviceInfo ({@link DeviceFilter}).
   */
  Route devices(String org, String type) {
    return parameterMap(
        parameters -> {
          DeviceFilter.Parsed parsed = DeviceFilter.of(parameters);
          if (parsed instanceof DeviceFilter.Invalid invalid) {
            return complete(error(StatusCodes.BAD_REQUEST, invalid.message()));
          }
          DeviceFilter filter = ((DeviceFilter.Valid) parsed).filter();
          String deviceId = type == null ? null : parameters.get("deviceId");
          if (!filter.isEmpty()) {
            return filteredDevices(org, type, filter, deviceId);
          }
          return deviceId != null ? devicesById(org, type, deviceId) : allDevices(org, type);
        });
  }

  private Route allDevices(String org, String type) {
    return devicePaging(
        type,
        (limit, after) ->
            onSuccess(
                registry.devicesAfter(
                    org,
                    type,
                    after == null ? null : after[0],
                    after == null ? null : after[1],
                    limit + 1),
                devices ->
                    onSuccess(
                        registry.deviceTypes(org),
                        counts -> complete(devicePage(devices, limit, total(counts, type))))));
  }

  /**
   * A page of the devices that {@code filter} (and {@code deviceId}, when given) selects: every
   * device of the type, or of the organization, is read and filtered (docs/adr/0070).
   */
  private Route filteredDevices(String org, String type, DeviceFilter filter, String deviceId) {
    IdRange range = deviceId == null ? IdRange.ALL : IdRange.of(deviceId);
    if (range == null) {
      return complete(invalidDeviceId());
    }
    Predicate<RegisteredDevice> selected = filter.and(device -> range.contains(device.id()));
    return devicePaging(
        type,
        (limit, after) ->
            onSuccess(
                registry.devicesMatching(
                    org,
                    type,
                    after == null ? null : after[0],
                    after == null ? null : after[1],
                    selected,
                    limit + 1),
                matching -> complete(devicePage(matching.page(), limit, matching.total()))));
  }

  @FunctionalInterface
  private interface DevicePageRoute {
    /** {@code after} is the bookmark's (typeId, deviceId), null for the first page. */
    Route page(int limit, String[] after);
  }

  /** The paging of a device list: {@code _sort} checked, {@code _bookmark} decoded. */
  private Route devicePaging(String type, DevicePageRoute inner) {
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
          return inner.page(limit, after);
        });
  }

  private static HttpResponse invalidDeviceId() {
    return error(
        StatusCodes.BAD_REQUEST,
        "deviceId is a device id, or an id prefix followed by *: " + Ids.DEVICE_ID_RULE);
  }

  /**
   * A page of the devices of {@code type} that {@code deviceId} selects: a seek on the registry's
   * clustering (type, then id), from the first id the filter allows up to the first it does not.
   */
  private Route devicesById(String org, String type, String deviceId) {
    IdRange range = IdRange.of(deviceId);
    if (range == null) {
      return complete(invalidDeviceId());
    }
    return paging(
        (limit, bookmark, sort) -> {
          if (sort.isPresent() && !isDeviceOrder(sort.get(), true)) {
            return complete(
                error(
                    StatusCodes.BAD_REQUEST,
                    "Device lists are sorted by deviceId, ascending: _sort may be 'deviceId'"));
          }
          String[] after = bookmark.isPresent() ? RegistryPaging.decode(bookmark.get()) : null;
          if (bookmark.isPresent() && (after == null || !after[0].equals(type))) {
            return complete(error(StatusCodes.BAD_REQUEST, "Invalid _bookmark"));
          }
          String from = after == null ? range.from() : range.fromAfter(after[1]);
          return onSuccess(
              registry.devicesInIdRange(org, type, from, range.to(), limit + 1),
              devices ->
                  onSuccess(
                      registry.countInIdRange(org, type, range.from(), range.to()),
                      total -> complete(devicePage(devices, limit, total))));
        });
  }

  /**
   * The ids a {@code deviceId} filter selects: at least {@code from}, below {@code to}. Ids are
   * ASCII, and Cassandra orders text by its UTF-8 bytes (as String.compareTo does here): a NUL
   * appended gives the least string after a given id, U+FFFF appended one above every id with the
   * prefix.
   */
  record IdRange(String from, String to) {
    private static final String NUL = String.valueOf((char) 0);
    private static final String MAX_CHAR = String.valueOf((char) 0xffff);
    static final IdRange ALL = new IdRange("", MAX_CHAR);

    static IdRange of(String filter) {
      boolean prefix = filter.endsWith("*");
      String id = prefix ? filter.substring(0, filter.length() - 1) : filter;
      if (Ids.checkDevicePart("deviceId", id).isPresent() && !(prefix && isIdPrefix(id))) {
        return null;
      }
      return new IdRange(id, id + (prefix ? MAX_CHAR : NUL));
    }

    /** "." is no device id, but it is the prefix of ".x". */
    private static boolean isIdPrefix(String id) {
      return Ids.checkDevicePart("deviceId", id + "x").isEmpty();
    }

    boolean contains(String id) {
      return id.compareTo(from) >= 0 && id.compareTo(to) < 0;
    }

    String fromAfter(String afterId) {
      String next = afterId + NUL;
      return next.compareTo(from) > 0 ? next : from;
    }
  }

  /**
   * A page of {@code types} (all the organization's, ordered by id); {@code id} may name one type
   * or a prefix of type ids ({@code therm*}).
   */
  Route types(Reply.DeviceTypeList types) {
    return parameterOptional("id", filter -> types(types, filter));
  }

  private Route types(Reply.DeviceTypeList types, Optional<String> filter) {
    IdRange range = filter.isPresent() ? IdRange.of(filter.get()) : IdRange.ALL;
    if (range == null) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST,
              "id is a device type id, or an id prefix followed by *: " + Ids.DEVICE_ID_RULE));
    }
    return paging(
        (limit, bookmark, sort) -> {
          boolean descending = sort.isPresent() && sort.get().strip().equals("-id");
          if (sort.isPresent() && !descending && !sort.get().strip().equals("id")) {
            return complete(
                error(
                    StatusCodes.BAD_REQUEST,
                    "Device types are sorted by id: _sort may be 'id' or '-id'"));
          }
          String after =
              bookmark
                  .map(b -> IdBookmarks.idOf(b, id -> Ids.checkDevicePart("type", id).isEmpty()))
                  .orElse(null);
          if (bookmark.isPresent() && after == null) {
            return complete(error(StatusCodes.BAD_REQUEST, "Invalid _bookmark"));
          }
          Comparator<String> order =
              descending ? Comparator.<String>reverseOrder() : Comparator.<String>naturalOrder();
          List<Reply.DeviceTypeInfo> sorted =
              new ArrayList<>(types.types().stream().filter(t -> range.contains(t.id())).toList());
          sorted.sort(Comparator.comparing(Reply.DeviceTypeInfo::id, order));
          List<Reply.DeviceTypeInfo> following =
              sorted.stream()
                  .filter(t -> after == null || order.compare(t.id(), after) > 0)
                  .limit(limit + 1L)
                  .toList();
          List<Reply.DeviceTypeInfo> shown =
              following.subList(0, Math.min(limit, following.size()));
          String next =
              following.size() > limit ? IdBookmarks.after(shown.get(shown.size() - 1).id()) : null;
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
    return RegistryPaging.pageParameters(
        (limitParam, bookmark) ->
            parameterOptional(
                "_sort",
                sort ->
                    RegistryPaging.pageSize(
                        limitParam,
                        DEFAULT_LIMIT,
                        limit ->
                            inner.page(limit, bookmark, sort.map(PlatformPaging::unbracket)))));
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
}
