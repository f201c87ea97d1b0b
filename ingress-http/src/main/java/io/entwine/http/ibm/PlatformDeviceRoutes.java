package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.entwine.http.common.ApiResponses;
import io.entwine.http.common.Authentication.ApiKeyPrincipal;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Timestamps;
import io.entwine.protocol.DeviceProfile;
import io.entwine.protocol.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's platform API v0002 for devices (IBM Watson IoT Platform API v0002 documentation: Device
 * configuration, Device location, Device management), scoped to the API key's organization: {@code
 * GET|POST /api/v0002/device/types/{typeId}/devices}, {@code GET|PUT|DELETE …/devices/{deviceId}},
 * {@code GET|PUT …/devices/{deviceId}/location}, {@code GET …/devices/{deviceId}/mgmt}. The same
 * twins as v0001: a device registered through either API is read, changed and deleted through both.
 * Only these paths are matched, so the device events and last-event cache under the same prefix
 * reach their own routes.
 */
public final class PlatformDeviceRoutes extends DeviceApiRoutes {
  private static final JsonNode NO_LOCATION = JsonNodeFactory.instance.objectNode();

  PlatformDeviceRoutes(Parts parts) {
    super(parts);
  }

  @Override
  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002").slash("device").slash("types").slash(segment()),
        type ->
            pathPrefix(
                "devices",
                () ->
                    concat(
                        pathEndOrSingleSlash(
                            () -> authentication.apiKey(principal -> devices(principal, type))),
                        pathPrefix(
                            segment(),
                            id ->
                                concat(
                                    pathEndOrSingleSlash(() -> withDevice(type, id, this::device)),
                                    path("location", () -> withDevice(type, id, this::location)),
                                    path("mgmt", () -> withDevice(type, id, this::mgmt)))))));
  }

  /** The device addressed, once the API key is checked and both ids are valid. */
  private Route withDevice(String type, String id, Function<DeviceKey, Route> inner) {
    return authentication.apiKey(
        principal ->
            validId(
                "typeId",
                type,
                () ->
                    validId(
                        "deviceId",
                        id,
                        () -> inner.apply(new DeviceKey(principal.org(), type, id)))));
  }

  private Route devices(ApiKeyPrincipal principal, String type) {
    return validId(
        "typeId",
        type,
        () ->
            concat(
                get(() -> new PlatformPaging(registry).devices(principal.org(), type)),
                post(
                    () ->
                        parsedBody(
                            body ->
                                PlatformBodies.newDevice(
                                    principal.org(), type, body, Timestamps.now()),
                            device -> register(principal, type, device)))));
  }

  private Route register(ApiKeyPrincipal principal, String type, PlatformBodies.NewDevice device) {
    return onSuccess(
        registration.register(principal, device),
        outcome ->
            complete(
                ApiResponses.fromReply(
                    outcome.reply(),
                    info ->
                        json(
                                StatusCodes.CREATED,
                                PlatformJson.of((Reply.DeviceInfo) info, outcome.authToken()))
                            .addHeader(
                                Location.create(
                                    "/api/v0002/device/types/"
                                        + type
                                        + "/devices/"
                                        + device.device().id())))));
  }

  private Route device(DeviceKey device) {
    return concat(
        get(() -> completeReply(gateway.devices().get(device), this::deviceBody)),
        put(
            () ->
                parsedBody(
                    PlatformBodies::deviceChange,
                    change -> completeReply(update(device, change), this::deviceBody))),
        delete(
            () ->
                completeReply(
                    gateway.devices().deleteAndRelease(device),
                    done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))));
  }

  /** The deviceInfo first, then the metadata: the reply of the last change made, or the device. */
  private CompletionStage<Reply> update(DeviceKey device, PlatformBodies.DeviceChange change) {
    CompletionStage<Reply> profiled =
        change.deviceInfo() == null
            ? gateway.devices().get(device)
            : gateway.devices().updateProfile(device, new DeviceProfile(change.deviceInfo(), null));
    return profiled.thenCompose(
        reply ->
            change.metadata() == null || !(reply instanceof Reply.DeviceInfo)
                ? CompletableFuture.completedFuture(reply)
                : gateway.devices().update(device, change.metadata(), null));
  }

  private Route location(DeviceKey device) {
    return concat(
        get(() -> completeReply(gateway.devices().get(device), this::locationBody)),
        put(
            () ->
                parsedBody(
                    body -> PlatformBodies.location(body, Timestamps.now()),
                    location ->
                        completeReply(
                            gateway
                                .devices()
                                .updateProfile(device, new DeviceProfile(null, location)),
                            this::locationBody))));
  }

  /** The device's {@code mgmt} once it sent a manage request; 404 while it is not managed. */
  private Route mgmt(DeviceKey device) {
    return get(
        () ->
            onSuccess(
                gateway.devices().get(device),
                info ->
                    info instanceof Reply.DeviceInfo
                        ? completeReply(
                            gateway.management().management(device),
                            view -> json(StatusCodes.OK, ((Reply.ManagementView) view).body()))
                        : complete(ApiResponses.fromReply(info, none -> null))));
  }

  private HttpResponse deviceBody(Reply info) {
    return json(StatusCodes.OK, PlatformJson.of((Reply.DeviceInfo) info, null));
  }

  private HttpResponse locationBody(Reply reply) {
    DeviceProfile profile = ((Reply.DeviceInfo) reply).profile();
    return json(
        StatusCodes.OK,
        profile == null || profile.location() == null ? NO_LOCATION : profile.location());
  }
}
