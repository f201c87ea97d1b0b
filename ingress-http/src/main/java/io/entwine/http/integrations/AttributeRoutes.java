package io.entwine.http.integrations;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.server.HttpSettings;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.util.Optional;
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
        segment("api")
            .slash("v0002")
            .slash("device")
            .slash("types")
            .slash(segment())
            .slash("devices")
            .slash(segment())
            .slash("attributes"),
        (type, id) -> {
          Optional<String> invalid =
              Ids.checkDevicePart("device type", type)
                  .or(() -> Ids.checkDevicePart("device id", id));
          if (invalid.isPresent()) {
            return complete(error(StatusCodes.BAD_REQUEST, invalid.get()));
          }
          return authentication.apiKey(
              principal -> {
                DeviceKey device = new DeviceKey(principal.org(), type, id);
                return concat(
                    get(
                        () ->
                            completeReply(
                                gateway.devices().attributes(device), AttributeRoutes::attributes)),
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
              });
        });
  }

  private static HttpResponse attributes(Reply reply) {
    return json(StatusCodes.OK, ((Reply.Attributes) reply).values());
  }
}
