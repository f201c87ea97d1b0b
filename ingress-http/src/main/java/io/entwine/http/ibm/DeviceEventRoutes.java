package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.server.HttpSettings;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM HTTP device events ({@code POST .../events/{event}}, 200 only after the twin persisted) and
 * the v0002 last-event cache ({@code GET .../events[/{event}]}, API key).
 */
public final class DeviceEventRoutes extends ApiDirectives {
  /** IBM's Content-Type to event-format table (IBM IoT Foundation HTTP documentation, Devices). */
  static final Map<String, String> FORMAT_BY_MEDIA_TYPE =
      Map.of(
          "text/plain", "text",
          "application/json", Payloads.JSON,
          "application/html", "xml",
          "application/octet-stream", "bin");

  static final String SUPPORTED_TYPES =
      "text/plain (text), application/json (json), application/html (xml),"
          + " application/octet-stream (bin)";

  private final TwinGateway gateway;
  private final Authentication authentication;
  private final int maxPayloadBytes;

  public DeviceEventRoutes(
      TwinGateway gateway, Authentication authentication, HttpSettings settings) {
    this.gateway = gateway;
    this.authentication = authentication;
    this.maxPayloadBytes = settings.maxEventPayloadBytes();
  }

  public record LastEventResponse(
      String typeId,
      String deviceId,
      String eventId,
      String format,
      String payload,
      Instant timestamp) {}

  public Route route() {
    return pathPrefix(
        segment("api")
            .slash("v0002")
            .slash("device")
            .slash("types")
            .slash(segment())
            .slash("devices")
            .slash(segment()),
        (type, id) ->
            pathPrefix(
                "events",
                () ->
                    validDevice(
                        type,
                        id,
                        () ->
                            concat(
                                pathEndOrSingleSlash(() -> get(() -> lastEvents(type, id, null))),
                                path(
                                    segment(),
                                    eventId ->
                                        concat(
                                            post(() -> publish(type, id, eventId)),
                                            get(() -> lastEvents(type, id, eventId))))))));
  }

  private Route publish(String type, String id, String eventId) {
    Optional<String> invalidEvent = Ids.checkEventId(eventId);
    if (invalidEvent.isPresent()) {
      return complete(error(StatusCodes.BAD_REQUEST, invalidEvent.get()));
    }
    return authentication.clientAddress(address -> publish(type, id, eventId, address));
  }

  private Route publish(String type, String id, String eventId, String address) {
    return authentication.deviceToken(
        (org, token) ->
            extractRequestEntity(
                requestEntity -> {
                  // pekko-http gives a body without Content-Type application/octet-stream (RFC
                  // 9110 lets a recipient assume it), so such an event is recorded as bin.
                  MediaType media = requestEntity.getContentType().mediaType();
                  String mediaType = media.mainType() + "/" + media.subType();
                  String format = FORMAT_BY_MEDIA_TYPE.get(mediaType);
                  if (format == null) {
                    return complete(
                        error(
                            StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                            "Unsupported Content-Type '"
                                + mediaType
                                + "': use "
                                + SUPPORTED_TYPES));
                  }
                  return withSizeLimit(
                      maxPayloadBytes,
                      () ->
                          strictEntity(
                              entity ->
                                  record(
                                      new DeviceKey(org, type, id),
                                      eventId,
                                      format,
                                      entity,
                                      token,
                                      address)));
                }));
  }

  private Route record(
      DeviceKey device,
      String eventId,
      String format,
      HttpEntity.Strict entity,
      String token,
      String address) {
    byte[] payload = entity.getData().toArray();
    Payloads.Inspection inspection = Payloads.inspect(format, payload);
    if (!inspection.isValid()) {
      return complete(error(StatusCodes.BAD_REQUEST, inspection.error()));
    }
    Instant receivedAt = Timestamps.now();
    DeviceMessage message =
        new DeviceMessage(
            device,
            eventId,
            format,
            inspection.payload(),
            inspection.eventTime().orElse(receivedAt),
            receivedAt,
            "http");
    return completeReply(
        gateway.recordEvent(message, token, address),
        done -> HttpResponse.create().withStatus(StatusCodes.OK));
  }

  private Route lastEvents(String type, String id, String eventId) {
    return authentication.apiKey(
        principal ->
            completeReply(
                gateway.devices().lastEvents(new DeviceKey(principal.org(), type, id), eventId),
                reply -> {
                  List<LastEventResponse> events =
                      ((Reply.LastEvents) reply)
                          .events().stream().map(e -> response(type, id, e)).toList();
                  return json(StatusCodes.OK, eventId == null ? events : events.get(0));
                }));
  }

  private static LastEventResponse response(String type, String id, Reply.LastEvent event) {
    return new LastEventResponse(
        type,
        id,
        event.eventId(),
        event.format(),
        Base64.getEncoder().encodeToString(event.payload()),
        event.timestamp());
  }
}
