package io.entwine.http.integrations;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.ApiResponses;
import io.entwine.http.server.HttpSettings;
import io.entwine.integration.HttpIntegrations;
import io.entwine.integration.UplinkRecorder;
import io.entwine.integration.UplinkResult;
import io.entwine.integration.script.EncodedDownlink;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The senders' side of ThingsBoard-style HTTP integrations: {@code POST
 * /api/v1/integrations/http/{routingKey}}, authenticated only by the unguessable routing key and
 * the integration's security headers, as in ThingsBoard; answers the integration's outcome (204 or
 * 200, a downlink, or why the message was refused).
 */
final class IntegrationSenderRoutes extends ApiDirectives {
  private static final Pattern ROUTING_KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final HttpIntegrations integrations;
  private final int maxPayloadBytes;

  IntegrationSenderRoutes(HttpIntegrations integrations, HttpSettings settings) {
    this.integrations = integrations;
    this.maxPayloadBytes = settings.maxEventPayloadBytes();
  }

  public record ConverterError(String message, int rc, String error) {}

  public record RefusedDevice(String deviceType, String deviceName, String reason) {}

  public record RefusedUplink(String message, int rc, List<RefusedDevice> devices) {}

  Route route() {
    return path(
        segment("api").slash("v1").slash("integrations").slash("http").slash(segment()),
        routingKey ->
            post(
                () -> {
                  if (!ROUTING_KEY.matcher(routingKey).matches()) {
                    return complete(unknownRoutingKey());
                  }
                  return withSizeLimit(
                      maxPayloadBytes,
                      () ->
                          extractRequest(
                              request ->
                                  strictEntity(
                                      entity ->
                                          onSuccess(
                                              integrations.uplink(
                                                  routingKey,
                                                  entity.getData().toArray(),
                                                  headers(request)),
                                              result -> complete(response(result))))));
                }));
  }

  private static Map<String, String> headers(HttpRequest request) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (HttpHeader header : request.getHeaders()) {
      headers.put(header.name(), header.value());
    }
    // pekko-http moves Content-Type from the headers to the entity
    headers.putIfAbsent("Content-Type", request.entity().getContentType().toString());
    return headers;
  }

  private static HttpResponse response(UplinkResult result) {
    if (result instanceof UplinkResult.Recorded recorded) {
      if (recorded.downlink() != null) {
        return downlinkResponse(recorded.downlink());
      }
      return recorded.replaceNoContentWithOk()
          ? HttpResponse.create().withStatus(StatusCodes.OK)
          : HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    } else if (result instanceof UplinkResult.UnknownRoutingKey) {
      return unknownRoutingKey();
    } else if (result instanceof UplinkResult.MissingHeader missing) {
      return error(
          StatusCodes.UNAUTHORIZED, "The integration requires the header '" + missing.name() + "'");
    } else if (result instanceof UplinkResult.WrongHeader wrong) {
      return error(StatusCodes.FORBIDDEN, "The header '" + wrong.name() + "' has the wrong value");
    } else if (result instanceof UplinkResult.ConverterFailed failed) {
      return json(
          StatusCodes.BAD_REQUEST,
          new ConverterError(
              "Uplink converter: " + failed.failure().getMessage(),
              StatusCodes.BAD_REQUEST.intValue(),
              failed.failure().kind().name()));
    } else if (result instanceof UplinkResult.LimitExceeded limit) {
      return error(StatusCodes.get(limit.status()), limit.message());
    } else if (result instanceof UplinkResult.Busy) {
      return error(
          StatusCodes.SERVICE_UNAVAILABLE,
          "Too many messages are waiting for converters; retry later");
    } else if (result instanceof UplinkResult.Refused refused) {
      return refusedResponse(refused.refusals());
    }
    throw new IllegalArgumentException("Unknown result " + result);
  }

  private static HttpResponse refusedResponse(List<UplinkRecorder.Refusal> refusals) {
    UplinkRecorder.Refusal first = refusals.get(0);
    var status = ApiResponses.statusOf(first.reason());
    return json(
        status,
        new RefusedUplink(
            first.message(),
            status.intValue(),
            refusals.stream()
                .map(r -> new RefusedDevice(r.device().type(), r.device().id(), r.message()))
                .toList()));
  }

  /** The downlink as ThingsBoard answers it: the data as body, typed by its content type. */
  private static HttpResponse downlinkResponse(EncodedDownlink downlink) {
    ContentType type;
    byte[] body;
    switch (downlink.contentType()) {
      case "JSON" -> {
        type = ContentTypes.APPLICATION_JSON;
        body = downlink.data().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      case "TEXT" -> {
        type = ContentTypes.TEXT_PLAIN_UTF8;
        body = downlink.data().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      default -> {
        type = ContentTypes.APPLICATION_OCTET_STREAM;
        body = Base64.getDecoder().decode(downlink.data());
      }
    }
    return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(type, body);
  }

  private static HttpResponse unknownRoutingKey() {
    return error(StatusCodes.NOT_FOUND, "No integration has this routing key");
  }
}
