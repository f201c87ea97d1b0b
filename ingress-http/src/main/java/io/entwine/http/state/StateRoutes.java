package io.entwine.http.state;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import io.entwine.registry.StateEventIds;
import io.entwine.twin.StateDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A device's state document over HTTP (issue 19; the shape of AWS IoT Device Shadow's document,
 * Azure IoT Hub's ETag and If-Match): applications (API key) {@code GET .../state}, {@code PATCH
 * .../state/desired} (JSON Merge Patch, RFC 7396) and {@code PUT .../state/desired}; the device
 * ({@code use-token-auth}) {@code PATCH .../state/reported} and {@code GET .../state/delta}. Every
 * answer carries {@code ETag: "<version>"}; a write with {@code If-Match} is applied only at that
 * version, else {@code 412} with the current version. {@code If-None-Match} (RFC 9110, as Eclipse
 * Ditto has it) makes reads naming the current version {@code 304} and desired writes with {@code
 * *} apply only while no desired state exists. Applications also name, per device type, the event
 * ids that report state ({@code .../types/{T}/state-events}).
 */
public final class StateRoutes extends ApiDirectives {
  private static final Set<String> PATCH_TYPES =
      Set.of("application/json", "application/merge-patch+json");

  /** What {@code If-Match} names when it names no version of ours: matches none (412). */
  private static final long NO_VERSION = -1;

  private final TwinGateway gateway;
  private final Authentication authentication;

  public StateRoutes(TwinGateway gateway, Authentication authentication) {
    this.gateway = gateway;
    this.authentication = authentication;
  }

  /** The answer to a device's reported patch or delta read: what is left for it to do. */
  public record DeltaBody(long version, JsonNode delta) {}

  /** A 412: the write named {@code expected}, the state is at {@code version}. */
  public record MismatchBody(String message, int rc, long version) {}

  public Route route() {
    return concat(deviceState(), stateEvents());
  }

  /** The event ids of a type whose JSON object is merged into reported state, as answered. */
  public record StateEventsBody(List<String> eventIds) {}

  /**
   * {@code GET/PUT /api/v0002/device/types/{T}/state-events} (API key): the event ids of a device
   * type whose JSON object (the IOTF {@code d} object, else the whole object) is merged into its
   * devices' reported state when recorded.
   */
  private Route stateEvents() {
    return path(
        V0002_DEVICE_TYPE.slash("state-events"),
        type ->
            Ids.checkDevicePart("device type", type)
                .map(message -> complete(error(StatusCodes.BAD_REQUEST, message)))
                .orElseGet(
                    () ->
                        authentication.apiKey(
                            principal ->
                                concat(
                                    get(
                                        () ->
                                            completeReply(
                                                gateway
                                                    .states()
                                                    .stateEventIds(principal.org(), type),
                                                StateRoutes::stateEventIds)),
                                    put(
                                        () ->
                                            withSizeLimit(
                                                StateDocument.MAX_BYTES,
                                                () ->
                                                    jsonObject(
                                                        false,
                                                        body ->
                                                            setStateEvents(
                                                                principal.org(), type, body))))))));
  }

  private Route setStateEvents(String org, String type, ObjectNode body) {
    JsonNode ids = body.get("eventIds");
    if (ids == null || !ids.isArray()) {
      return complete(
          error(StatusCodes.BAD_REQUEST, "The body must be {\"eventIds\": [\"status\", ...]}"));
    }
    if (ids.size() > StateEventIds.MAX_EVENT_IDS) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST,
              "A device type names at most " + StateEventIds.MAX_EVENT_IDS + " state event ids"));
    }
    List<String> eventIds = new ArrayList<>();
    for (JsonNode id : ids) {
      Optional<String> invalid =
          id.isTextual() ? Ids.checkEventId(id.asText()) : Optional.of("Event ids are strings");
      if (invalid.isPresent()) {
        return complete(error(StatusCodes.BAD_REQUEST, invalid.get()));
      }
      if (!eventIds.contains(id.asText())) {
        eventIds.add(id.asText());
      }
    }
    return completeReply(
        gateway.states().setStateEventIds(org, type, eventIds), StateRoutes::stateEventIds);
  }

  private static HttpResponse stateEventIds(Reply reply) {
    return json(StatusCodes.OK, new StateEventsBody(((Reply.EventIds) reply).eventIds()));
  }

  private Route deviceState() {
    return pathPrefix(
        DEVICE_PATH.slash("state"),
        (type, id) ->
            validDevice(
                type,
                id,
                () ->
                    concat(
                        pathEndOrSingleSlash(() -> get(() -> applicationState(type, id))),
                        path(
                            "desired",
                            () ->
                                concat(
                                    patch(() -> changeDesired(type, id, false)),
                                    put(() -> changeDesired(type, id, true)))),
                        path("reported", () -> patch(() -> patchReported(type, id))),
                        path("delta", () -> get(() -> deviceDelta(type, id))))));
  }

  private Route applicationState(String type, String id) {
    return authentication.apiKey(
        principal ->
            noneMatch(
                condition ->
                    completeState(
                        gateway.states().state(new DeviceKey(principal.org(), type, id)),
                        unlessNotModified(condition, reply -> json(StatusCodes.OK, reply)))));
  }

  private Route changeDesired(String type, String id, boolean replace) {
    return authentication.apiKey(
        principal ->
            expectedVersion(
                expected ->
                    noneMatch(
                        condition ->
                            document(
                                document -> {
                                  DeviceKey device = new DeviceKey(principal.org(), type, id);
                                  return condition.isPresent()
                                      ? writeDesiredUnlessMatched(
                                          device, document, replace, expected, condition.get())
                                      : writeDesired(device, document, replace, expected);
                                }))));
  }

  private Route writeDesired(
      DeviceKey device, ObjectNode document, boolean replace, Long expected) {
    return completeState(
        gateway.states().changeDesired(device, document, replace, expected),
        reply -> json(StatusCodes.OK, reply));
  }

  /**
   * A desired write under {@code If-None-Match}: 412 when the state read matches the condition
   * ({@code *}: desired state exists), else the write is made at the version read (or the one
   * {@code If-Match} names), so a write that lands in between makes this one a 412 too.
   */
  private Route writeDesiredUnlessMatched(
      DeviceKey device,
      ObjectNode document,
      boolean replace,
      Long expected,
      NoneMatchCondition condition) {
    return onSuccess(
        gateway.states().state(device),
        current -> {
          if (!(current instanceof Reply.StateView view)) {
            return completeReply(
                CompletableFuture.completedFuture(current), StateRoutes::unexpected);
          }
          boolean desiredExists = view.desired() != null && !view.desired().isEmpty();
          if (condition.matches(view.version(), desiredExists)) {
            return complete(
                preconditionFailed(
                    (condition.any()
                            ? "If-None-Match: * and desired state exists"
                            : "If-None-Match names the current version")
                        + "; the state is at version "
                        + view.version(),
                    view.version()));
          }
          return writeDesired(
              device, document, replace, expected != null ? expected : view.version());
        });
  }

  private static HttpResponse unexpected(Reply reply) {
    return error(StatusCodes.INTERNAL_SERVER_ERROR, "Unexpected answer " + reply);
  }

  /** {@code onState}, or 304 without a body when {@code If-None-Match} names the state read. */
  private static Function<Reply, HttpResponse> unlessNotModified(
      Optional<NoneMatchCondition> condition, Function<Reply, HttpResponse> onState) {
    return reply ->
        condition.isPresent() && condition.get().matches(((Reply.StateView) reply).version(), true)
            ? HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED)
            : onState.apply(reply);
  }

  /**
   * The {@code If-None-Match} condition (RFC 9110 §13.1.2), empty without the header; 400 when it
   * is neither {@code *} nor a list of entity tags.
   */
  private Route noneMatch(Function<Optional<NoneMatchCondition>, Route> inner) {
    return optionalHeaderValueByName(
        "If-None-Match",
        header -> {
          if (header.isEmpty()) {
            return inner.apply(Optional.empty());
          }
          Optional<NoneMatchCondition> condition = NoneMatchCondition.parse(header.get());
          return condition.isPresent()
              ? inner.apply(condition)
              : complete(
                  error(
                      StatusCodes.BAD_REQUEST,
                      "If-None-Match must be * or a list of entity tags like \"3\""));
        });
  }

  private Route patchReported(String type, String id) {
    return asDevice(
        type,
        id,
        (device, token, address) ->
            expectedVersion(
                expected ->
                    document(
                        patch ->
                            completeState(
                                gateway
                                    .states()
                                    .patchReported(device, token, patch, expected, address),
                                StateRoutes::delta))));
  }

  private Route deviceDelta(String type, String id) {
    return asDevice(
        type,
        id,
        (device, token, address) ->
            noneMatch(
                condition ->
                    completeState(
                        gateway.states().deviceState(device, token, address),
                        unlessNotModified(condition, StateRoutes::delta))));
  }

  /** What a device's request needs: the device it addresses, its token, its address. */
  @FunctionalInterface
  private interface DeviceRequest {
    Route apply(DeviceKey device, String token, String address);
  }

  private Route asDevice(String type, String id, DeviceRequest inner) {
    return authentication.clientAddress(
        address ->
            authentication.deviceToken(
                (org, token) -> inner.apply(new DeviceKey(org, type, id), token, address)));
  }

  private static HttpResponse delta(Reply reply) {
    Reply.StateView state = (Reply.StateView) reply;
    return json(StatusCodes.OK, new DeltaBody(state.version(), state.delta()));
  }

  /** Completes with {@code onState} of the state answered, its ETag, or the refusal. */
  private Route completeState(CompletionStage<Reply> reply, Function<Reply, HttpResponse> onState) {
    return completeReply(
        reply,
        answered -> {
          if (answered instanceof Reply.StateVersionMismatch mismatch) {
            return preconditionFailed(
                (mismatch.expectedVersion() == NO_VERSION
                        ? "If-Match names no version; versions are strong tags like \"3\""
                        : "If-Match names version " + mismatch.expectedVersion())
                    + "; the state is at version "
                    + mismatch.version(),
                mismatch.version());
          }
          return onState.apply(answered).addHeader(etag(answered));
        });
  }

  private static HttpResponse preconditionFailed(String message, long version) {
    return json(
            StatusCodes.PRECONDITION_FAILED,
            new MismatchBody(message, StatusCodes.PRECONDITION_FAILED.intValue(), version))
        .addHeader(etag(version));
  }

  /**
   * The version {@code If-Match} names (RFC 9110 §13.1.1): null without the header or with {@code
   * *}; a strong tag {@code "N"} is version N; any other tag matches no version.
   */
  private Route expectedVersion(Function<Long, Route> inner) {
    return optionalHeaderValueByName(
        "If-Match", header -> inner.apply(header.map(StateRoutes::versionOf).orElse(null)));
  }

  static Long versionOf(String ifMatch) {
    String tag = ifMatch.trim();
    if (tag.equals("*")) {
      return null;
    }
    if (tag.length() > 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
      String digits = tag.substring(1, tag.length() - 1);
      if (digits.chars().allMatch(Character::isDigit) && digits.length() < 19) {
        return Long.parseLong(digits);
      }
    }
    return NO_VERSION;
  }

  /**
   * The body as a JSON object: {@code application/json} or {@code application/merge-patch+json}
   * (415 otherwise), at most {@link StateDocument#MAX_BYTES} (413), at most {@link
   * StateDocument#MAX_DEPTH} levels deep (400).
   */
  private Route document(Function<ObjectNode, Route> inner) {
    return extractRequestEntity(
        entity -> {
          MediaType media = entity.getContentType().mediaType();
          String mediaType = media.mainType() + "/" + media.subType();
          if (!PATCH_TYPES.contains(mediaType)) {
            return complete(
                error(
                    StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported Content-Type '"
                        + mediaType
                        + "': use application/merge-patch+json or application/json"));
          }
          return withSizeLimit(
              StateDocument.MAX_BYTES,
              () ->
                  jsonObject(
                      false,
                      document -> {
                        Optional<String> tooDeep = StateDocument.checkDepth(document);
                        return tooDeep.isPresent()
                            ? complete(error(StatusCodes.BAD_REQUEST, tooDeep.get()))
                            : inner.apply(document);
                      }));
        });
  }

  private static ETag etag(Reply reply) {
    return etag(((Reply.StateView) reply).version());
  }

  private static ETag etag(long version) {
    return ETag.create(EntityTag.create(Long.toString(version), false));
  }
}
