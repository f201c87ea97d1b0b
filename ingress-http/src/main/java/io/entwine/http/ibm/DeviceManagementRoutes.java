package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.Tokens;
import io.entwine.http.common.Authentication.ApiKeyPrincipal;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.protocol.Reply;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM's device-management API v0001 (IBM IoT Foundation API documentation, Devices), scoped to the
 * API key's organization.
 */
public final class DeviceManagementRoutes extends DeviceApiRoutes {
  static final String REGISTERED_BY_TYPE = "apikey";
  static final int MIN_TOKEN_LENGTH = 8;
  static final int MAX_TOKEN_LENGTH = 128;

  DeviceManagementRoutes(Parts parts) {
    super(parts);
  }

  @Override
  public Route route() {
    return pathPrefix(
        segment("api").slash("v0001"),
        () ->
            authentication.apiKey(
                principal ->
                    concat(
                        pathEndOrSingleSlash(() -> get(() -> viewOrganization(principal))),
                        path("device-types", () -> get(() -> listDeviceTypes(principal))),
                        pathPrefix("devices", () -> devices(principal)))));
  }

  private Route devices(ApiKeyPrincipal principal) {
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(() -> listDevices(principal)),
                    post(() -> jsonObject(false, body -> register(principal, body))))),
        deviceTypeSegment(
            type ->
                concat(
                    pathEndOrSingleSlash(() -> get(() -> listDevices(principal, type))),
                    path(
                        segment(),
                        id ->
                            validDevicePart(
                                "device id",
                                id,
                                () -> device(new DeviceKey(principal.org(), type, id)))))));
  }

  private Route device(DeviceKey device) {
    return concat(
        get(() -> completeReply(gateway.devices().get(device), this::ok)),
        put(() -> jsonObject(false, body -> update(device, body))),
        delete(
            () ->
                completeReply(
                    gateway.devices().deleteAndRelease(device),
                    done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))));
  }

  private Route viewOrganization(ApiKeyPrincipal principal) {
    return completeReply(
        gateway.organizations().get(principal.org()), info -> json(StatusCodes.OK, info));
  }

  private Route listDevices(ApiKeyPrincipal principal) {
    return new RegistryPaging(registry)
        .list(
            principal.org(),
            null,
            () ->
                onSuccess(
                    registry.devices(principal.org()),
                    devices ->
                        complete(
                            json(StatusCodes.OK, devices.stream().map(DeviceJson::of).toList()))));
  }

  private Route listDevices(ApiKeyPrincipal principal, String type) {
    return new RegistryPaging(registry)
        .list(
            principal.org(),
            type,
            () ->
                onSuccess(
                    registry.devices(principal.org(), type),
                    devices ->
                        complete(
                            json(StatusCodes.OK, devices.stream().map(DeviceJson::of).toList()))));
  }

  private Route listDeviceTypes(ApiKeyPrincipal principal) {
    return completeOk(
        registry.deviceTypes(principal.org()),
        types -> types.stream().map(DeviceJson::of).toList());
  }

  private Route register(ApiKeyPrincipal principal, ObjectNode body) {
    if (!isStringOrAbsent(body, "type")
        || !isStringOrAbsent(body, "id")
        || !isStringOrAbsent(body, "password")) {
      return complete(
          error(StatusCodes.BAD_REQUEST, "'type', 'id' and 'password' must be strings"));
    }
    String type = optionalText(body, "type");
    String id = optionalText(body, "id");
    Optional<String> invalid =
        Ids.checkDevicePart("device type", type).or(() -> Ids.checkDevicePart("device id", id));
    if (invalid.isPresent()) {
      return complete(error(StatusCodes.BAD_REQUEST, invalid.get()));
    }
    String requestedToken = optionalText(body, "password");
    if (requestedToken != null
        && (requestedToken.length() < MIN_TOKEN_LENGTH
            || requestedToken.length() > MAX_TOKEN_LENGTH)) {
      return complete(
          error(
              StatusCodes.BAD_REQUEST,
              "'password' must be "
                  + MIN_TOKEN_LENGTH
                  + " to "
                  + MAX_TOKEN_LENGTH
                  + " characters; omit it to have one generated"));
    }
    String token = requestedToken != null ? requestedToken : Tokens.secret();
    JsonNode metadata = body.get("metadata");
    DeviceKey device = new DeviceKey(principal.org(), type, id);
    return completeReply(
        gateway
            .devices()
            .registerDevice(
                device,
                token,
                metadata == null || metadata.isNull() ? null : metadata,
                principal.key(),
                REGISTERED_BY_TYPE),
        info ->
            json(StatusCodes.CREATED, DeviceJson.withPassword((Reply.DeviceInfo) info, token))
                .addHeader(Location.create("/api/v0001/devices/" + type + "/" + id)));
  }

  private Route update(DeviceKey device, ObjectNode body) {
    JsonNode metadata = body.get("metadata");
    JsonNode enabled = body.get("enabled");
    if (metadata == null && enabled == null) {
      return complete(error(StatusCodes.BAD_REQUEST, "'metadata' is required"));
    }
    if (enabled != null && !enabled.isBoolean()) {
      return complete(error(StatusCodes.BAD_REQUEST, "'enabled' must be true or false"));
    }
    return completeReply(
        gateway.devices().update(device, metadata, enabled == null ? null : enabled.booleanValue()),
        this::ok);
  }

  private HttpResponse ok(Reply info) {
    return json(StatusCodes.OK, DeviceJson.of((Reply.DeviceInfo) info));
  }
}
