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
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * IBM HTTP device events ({@code POST .../events/{event}}, through the organization's admission,
 * 200 only after the twin persisted; from the device or from a gateway acting for it), the same
 * posted by an application on a device's behalf ({@code POST
 * /api/v0002/application/types/{T}/devices/{ID}/events/{event}}, API key) and the v0002 last-event
 * cache ({@code GET .../events[/{event}]}, API key).
 */
public final class DeviceEventRoutes extends ApiDirectives {
  private final TwinGateway gateway;
  private final DeviceEventAdmission admission;
  private final Authentication authentication;
  private final int maxPayloadBytes;

  /** {@code policies}: the organizations' limits and adapter switches, as this node caches them. */
  public DeviceEventRoutes(
      TwinGateway gateway,
      OrganizationPolicies policies,
      Authentication authentication,
      HttpSettings settings) {
    this.gateway = gateway;
    this.admission = new DeviceEventAdmission(gateway, policies);
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
    return concat(
        pathPrefix(
            DEVICE_PATH,
            (type, id) ->
                pathPrefix(
                    "events",
                    () ->
                        validDevice(
                            type,
                            id,
                            () ->
                                concat(
                                    pathEndOrSingleSlash(
                                        () -> get(() -> lastEvents(type, id, null))),
                                    path(
                                        segment(),
                                        eventId ->
                                            concat(
                                                post(() -> publish(type, id, eventId)),
                                                get(() -> lastEvents(type, id, eventId)))))))),
        pathPrefix(
            APPLICATION_DEVICE_PATH.slash("events"),
            (type, id) ->
                path(segment(), eventId -> post(() -> publishAsApplication(type, id, eventId)))));
  }

  /**
   * The device's own event, or one its gateway ({@code g/ORG/TYPE/ID}) sends for it or for itself
   * (Watson IoT Platform documentation, Gateways: HTTP).
   */
  private Route publish(String type, String id, String eventId) {
    return validEventId(
        eventId,
        () ->
            authentication.clientAddress(
                address ->
                    authentication.deviceOrGatewayToken(
                        (org, token, sender) -> {
                          DeviceKey device = new DeviceKey(org, type, id);
                          return event(
                              device,
                              eventId,
                              (message, bodyBytes) ->
                                  sender == null || sender.equals(device)
                                      ? admission.record(message, bodyBytes, token, address)
                                      : admission.recordForGateway(
                                          message, bodyBytes, sender, token, address));
                        })));
  }

  /**
   * IBM's HTTP API for applications: an application of the device's organization (API key) sends an
   * event on the device's behalf; it is recorded as if the device had sent it.
   */
  private Route publishAsApplication(String type, String id, String eventId) {
    return validDevice(
        type,
        id,
        () ->
            validEventId(
                eventId,
                () ->
                    authentication.apiKey(
                        principal ->
                            event(
                                new DeviceKey(principal.org(), type, id),
                                eventId,
                                (message, bodyBytes) ->
                                    admission.recordForApplication(
                                        message, bodyBytes, principal.key())))));
  }

  private Route validEventId(String eventId, Supplier<Route> inner) {
    Optional<String> invalidEvent = Ids.checkEventId(eventId);
    return invalidEvent.isPresent()
        ? complete(error(StatusCodes.BAD_REQUEST, invalidEvent.get()))
        : inner.get();
  }

  /**
   * The request body as {@code device}'s event, in its Content-Type's format, to {@code record}.
   */
  private Route event(
      DeviceKey device,
      String eventId,
      BiFunction<DeviceMessage, Integer, CompletionStage<HttpResponse>> record) {
    return EventFormats.ofRequest(
        format ->
            withSizeLimit(
                maxPayloadBytes,
                () -> strictEntity(entity -> record(device, eventId, format, entity, record))));
  }

  private Route record(
      DeviceKey device,
      String eventId,
      String format,
      HttpEntity.Strict entity,
      BiFunction<DeviceMessage, Integer, CompletionStage<HttpResponse>> record) {
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
            "http",
            DeviceMessage.ACKNOWLEDGED_QOS);
    return onSuccess(record.apply(message, payload.length), this::complete);
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
