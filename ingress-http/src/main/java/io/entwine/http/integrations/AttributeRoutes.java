package io.entwine.http.integrations;

import static io.entwine.http.common.ApiResponses.json;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.server.HttpSettings;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A device's shared attributes (API key): {@code PUT
 * /api/v0002/device/types/{T}/devices/{ID}/attributes} merges a JSON object into them (a null value
 * removes one) and answers the merged attributes; {@code GET} reads them. A change waits as a
 * downlink for devices of an HTTP integration.
 */
public final class AttributeRoutes extends ApiDirectives {
  private final TwinGateway gateway;
  private final Authentication authentication;
  private final int maxBodyBytes;

  public AttributeRoutes(
      TwinGateway gateway, Authentication authentication, HttpSettings settings) {
    this.gateway = gateway;
    this.authentication = authentication;
    this.maxBodyBytes = settings.maxEventPayloadBytes();
  }

  public Route route() {
    return path(
        DEVICE_PATH.slash("attributes"),
        (type, id) -> apiKeyDevice(authentication, type, id, this::deviceAttributes));
  }

  private Route deviceAttributes(DeviceKey device) {
    return concat(
        get(() -> completeReply(gateway.devices().attributes(device), AttributeRoutes::attributes)),
        put(
            () ->
                withSizeLimit(
                    maxBodyBytes,
                    () ->
                        jsonObject(
                            false,
                            body ->
                                completeReply(
                                    gateway.devices().setAttributes(device, body),
                                    AttributeRoutes::attributes)))));
  }

  private static HttpResponse attributes(Reply reply) {
    return json(StatusCodes.OK, ((Reply.Attributes) reply).values());
  }
}
