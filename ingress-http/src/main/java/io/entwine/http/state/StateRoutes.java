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
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A device's state document over HTTP (issue 19; the shape of AWS IoT Device Shadow's document,
 * Azure IoT Hub's ETag and If-Match): applications (API key) {@code GET .../state}, {@code PATCH
 * .../state/desired} (JSON Merge Patch, RFC 7396) and {@code PUT .../state/desired}; the device
 * ({@code use-token-auth}) {@code PATCH .../state/reported} and {@code GET .../state/delta}. Every
 * answer carries {@code ETag: "<version>"}; a write with {@code If-Match} is applied only at that
 * version, else {@code 412} with the current version. {@code If-None-Match} (RFC 9110, as Eclipse
 * Ditto has it) makes reads naming the current version {@code 304} and writes with {@code *} apply
 * only while the part they write is empty; a {@code condition} (Ditto's RQL, {@link
 * StateCondition}) that does not hold makes reads and writes {@code 412}. Applications also name,
 * per device type, the event ids that report state ({@code .../types/{T}/state-events}).
 */
public final class StateRoutes extends ApiDirectives {
  private static final Set<String> PATCH_TYPES =
      Set.of("application/json", "application/merge-patch+json");

  private final TwinGateway gateway;
  private final Authentication authentication;
  private final StatePreconditions.Directives conditions = new StatePreconditions.Directives();

  public StateRoutes(TwinGateway gateway, Authentication authentication) {
    this.gateway = gateway;
    this.authentication = authentication;
  }

  /** The answer to a device's reported patch or delta read: what is left for it to do. */
  public record DeltaBody(long version, JsonNode delta) {}

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
            conditions.preconditions(
                pre ->
                    completeState(
                        gateway.states().state(new DeviceKey(principal.org(), type, id)),
                        pre.read(reply -> json(StatusCodes.OK, reply)))));
  }

  private Route changeDesired(String type, String id, boolean replace) {
    return authentication.apiKey(
        principal ->
            conditions.preconditions(
                pre ->
                    document(
                        document -> {
                          DeviceKey device = new DeviceKey(principal.org(), type, id);
                          return write(
                              pre,
                              "desired",
                              () -> gateway.states().state(device),
                              version ->
                                  gateway
                                      .states()
                                      .changeDesired(device, document, replace, version),
                              reply -> json(StatusCodes.OK, reply));
                        })));
  }

  private Route patchReported(String type, String id) {
    return asDevice(
        type,
        id,
        (device, token, address, pre) ->
            document(
                patch ->
                    write(
                        pre,
                        "reported",
                        () -> gateway.states().deviceState(device, token, address),
                        version ->
                            gateway.states().patchReported(device, token, patch, version, address),
                        StateRoutes::delta)));
  }

  /**
   * A write of {@code part} at the version {@code If-Match} names; under {@code If-None-Match} or a
   * {@code condition}, a 412 when the state {@code read} fails them, else the write is made at the
   * version read (or the one {@code If-Match} names), so a write that lands in between makes this
   * one a 412 too.
   */
  private Route write(
      StatePreconditions pre,
      String part,
      Supplier<CompletionStage<Reply>> read,
      Function<Long, CompletionStage<Reply>> write,
      Function<Reply, HttpResponse> onState) {
    if (!pre.needRead()) {
      return completeState(write.apply(pre.expected()), onState);
    }
    return onSuccess(
        read.get(),
        current -> {
          if (!(current instanceof Reply.StateView state)) {
            return completeState(CompletableFuture.completedFuture(current), onState);
          }
          Optional<HttpResponse> refused = pre.refuseWrite(state, part);
          return refused.isPresent()
              ? complete(refused.get().addHeader(StatePreconditions.etag(state.version())))
              : completeState(write.apply(pre.versionToWrite(state)), onState);
        });
  }

  private Route deviceDelta(String type, String id) {
    return asDevice(
        type,
        id,
        (device, token, address, pre) ->
            completeState(
                gateway.states().deviceState(device, token, address),
                pre.read(StateRoutes::delta)));
  }

  /**
   * What a device's request needs: the device it addresses, its token, its address, and the
   * preconditions it puts on the state.
   */
  @FunctionalInterface
  private interface DeviceRequest {
    Route apply(DeviceKey device, String token, String address, StatePreconditions pre);
  }

  private Route asDevice(String type, String id, DeviceRequest inner) {
    return authentication.clientAddress(
        address ->
            authentication.deviceToken(
                (org, token) ->
                    conditions.preconditions(
                        pre -> inner.apply(new DeviceKey(org, type, id), token, address, pre))));
  }

  private static HttpResponse delta(Reply reply) {
    Reply.StateView state = (Reply.StateView) reply;
    return json(StatusCodes.OK, new DeltaBody(state.version(), state.delta()));
  }

  /**
   * Completes with {@code onState} of the state answered (which may be a 412 or 304 of its own) and
   * its ETag, or the refusal.
   */
  private Route completeState(CompletionStage<Reply> reply, Function<Reply, HttpResponse> onState) {
    return completeReply(
        reply,
        answered -> {
          if (answered instanceof Reply.StateVersionMismatch mismatch) {
            return StatePreconditions.mismatch(
                    (mismatch.expectedVersion() == StatePreconditions.NO_VERSION
                            ? "If-Match names no version; versions are strong tags like \"3\""
                            : "If-Match names version " + mismatch.expectedVersion())
                        + "; the state is at version "
                        + mismatch.version(),
                    mismatch.version())
                .addHeader(StatePreconditions.etag(mismatch.version()));
          }
          return onState
              .apply(answered)
              .addHeader(StatePreconditions.etag(((Reply.StateView) answered).version()));
        });
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
}
