package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.common.Authentication.ApiKeyPrincipal;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Timestamps;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's platform API v0002 bulk operations (IBM Watson IoT Platform API v0002 documentation, Bulk
 * operations): {@code GET /api/v0002/bulk/devices} lists the organization's devices, {@code POST
 * …/bulk/devices/add} registers a list of devices and {@code POST …/bulk/devices/remove} deletes
 * one, each answering a result per device: 201 when every device was registered, 202 when some were
 * not (each says why), 202 for a removal. A list that is not a JSON array, an entry that breaks a
 * rule, a device named twice or a body over {@link #MAX_BODY_BYTES} is refused whole (400, 413) and
 * changes nothing.
 */
public final class BulkRoutes extends DeviceApiRoutes {
  /** IBM: "each request can contain a maximum of 512 kB". */
  static final int MAX_BODY_BYTES = 512 * 1024;

  /**
   * Devices registered or deleted at once: each registration takes a slow hash on the node's
   * two-thread hash pool, whose queue is bounded (docs/adr/0043), so a long list goes in windows.
   */
  private static final int WINDOW = 8;

  BulkRoutes(Parts parts) {
    super(parts);
  }

  @Override
  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002").slash("bulk").slash("devices"),
        () ->
            concat(
                pathEndOrSingleSlash(
                    () ->
                        get(
                            () ->
                                authentication.apiKey(
                                    principal ->
                                        parameterOptional(
                                            "typeId",
                                            type ->
                                                type.isPresent()
                                                    ? validId(
                                                        "typeId",
                                                        type.get(),
                                                        () -> list(principal, type.get()))
                                                    : list(principal, null))))),
                bulkPost("add", this::add),
                bulkPost("remove", this::remove)));
  }

  /** POST {@code name}: a JSON array of entries, by an API key of the organization. */
  private Route bulkPost(String name, BiFunction<ApiKeyPrincipal, List<JsonNode>, Route> handle) {
    return path(
        name,
        () ->
            post(
                () ->
                    authentication.apiKey(
                        principal ->
                            jsonArray(
                                MAX_BODY_BYTES, entries -> handle.apply(principal, entries)))));
  }

  private Route list(ApiKeyPrincipal principal, String type) {
    return new PlatformPaging(registry).devices(principal.org(), type);
  }

  private Route add(ApiKeyPrincipal principal, List<JsonNode> entries) {
    Instant now = Timestamps.now();
    return parsed(
        () ->
            distinct(
                entries.stream()
                    .map(entry -> PlatformBodies.bulkDevice(principal.org(), entry, now))
                    .toList(),
                PlatformBodies.NewDevice::device),
        devices ->
            onSuccess(
                inWindows(devices, device -> registration.register(principal, device)),
                outcomes -> {
                  List<PlatformJson.Added> results = new ArrayList<>();
                  boolean all = true;
                  for (int i = 0; i < devices.size(); i++) {
                    DeviceKey key = devices.get(i).device();
                    PlatformRegistration.Outcome outcome = outcomes.get(i);
                    boolean registered = outcome.reply() instanceof Reply.DeviceInfo;
                    all &= registered;
                    results.add(
                        new PlatformJson.Added(
                            key.type(),
                            key.id(),
                            registered ? outcome.authToken() : null,
                            registered,
                            registered ? null : reason(outcome.reply())));
                  }
                  return complete(json(all ? StatusCodes.CREATED : StatusCodes.ACCEPTED, results));
                }));
  }

  private Route remove(ApiKeyPrincipal principal, List<JsonNode> entries) {
    return parsed(
        () ->
            distinct(
                entries.stream()
                    .map(entry -> PlatformBodies.target(principal.org(), entry))
                    .toList(),
                Function.identity()),
        devices ->
            onSuccess(
                inWindows(devices, device -> gateway.devices().deleteAndRelease(device)),
                replies -> {
                  List<PlatformJson.Removed> results = new ArrayList<>();
                  for (int i = 0; i < devices.size(); i++) {
                    boolean deleted = replies.get(i) instanceof Reply.Done;
                    results.add(
                        new PlatformJson.Removed(
                            devices.get(i).type(),
                            devices.get(i).id(),
                            deleted,
                            deleted ? null : reason(replies.get(i))));
                  }
                  return complete(json(StatusCodes.ACCEPTED, results));
                }));
  }

  /** {@code parsed}, refused when two of them name the same device. */
  private static <T> List<T> distinct(List<T> parsed, Function<T, DeviceKey> keyOf) {
    Set<DeviceKey> seen = new HashSet<>();
    for (T entry : parsed) {
      DeviceKey key = keyOf.apply(entry);
      if (!seen.add(key)) {
        throw new PlatformBodies.InvalidBody(
            "Device " + key.type() + "/" + key.id() + " is in the list more than once");
      }
    }
    return parsed;
  }

  private static String reason(Reply reply) {
    return reply instanceof Reply.Rejected rejected ? rejected.message() : "Not done";
  }

  private static <T, R> CompletionStage<List<R>> inWindows(
      List<T> items, Function<T, CompletionStage<R>> action) {
    return inWindows(items, action, WINDOW);
  }

  /** {@code action} of every item, at most {@code window} at a time, the results in order. */
  static <T, R> CompletionStage<List<R>> inWindows(
      List<T> items, Function<T, CompletionStage<R>> action, int window) {
    CompletionStage<List<R>> done = CompletableFuture.completedFuture(new ArrayList<>());
    for (int start = 0; start < items.size(); start += window) {
      List<T> slice = items.subList(start, Math.min(items.size(), start + window));
      done =
          done.thenCompose(
              results -> {
                List<CompletableFuture<R>> running =
                    slice.stream().map(item -> action.apply(item).toCompletableFuture()).toList();
                return CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                    .thenApply(
                        all -> {
                          running.forEach(r -> results.add(r.join()));
                          return results;
                        });
              });
    }
    return done;
  }
}
