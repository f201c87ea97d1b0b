package io.entwine.http.hono;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Refused;
import io.entwine.http.server.HttpSettings;
import io.entwine.http.state.StateRoutes;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Admission;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The Eclipse Hono HTTP adapter (Eclipse Hono 1.2 HTTP adapter user guide): telemetry and events
 * from devices ({@code POST /telemetry}, {@code POST /event}, {@code auth-id@tenant}), from
 * gateways and unauthenticated devices ({@code PUT /telemetry/{tenant}/{device}}), commands in the
 * response to a request with {@code hono-ttd} (else the twin's state delta, as the command {@code
 * delta}), and command responses ({@code /command/res/...}). Devices and gateways authenticate with
 * HTTP Basic or, over HTTPS, with a client certificate issued by a CA their tenant trusts (the
 * guide's "Client Certificate").
 *
 * <p>Each request is one short pipeline: parse (400) → authenticate (401, {@link
 * HonoAuthentication}) → tenant allows it (403) → tenant limits (413, 429, {@link Admission}) → the
 * one ingress path ({@link TwinGateway}) → status ({@link HonoStatus}). Tenant = organization.
 * Telemetry of either QoS is acknowledged after the twin persisted it.
 */
public final class HonoRoutes extends ApiDirectives {
  static final String TELEMETRY = "telemetry";
  static final String EVENT = "event";
  static final String DELTA_COMMAND = "delta";
  private static final int MAX_BODY_BYTES = 1 << 20;

  private final TwinGateway gateway;
  private final Admission admission;
  private final HonoAuthentication authentication;
  private final int defaultMaxPayloadBytes;

  public HonoRoutes(TwinGateway gateway, OrganizationPolicies policies, HttpSettings settings) {
    this.gateway = gateway;
    this.admission = new Admission(policies, gateway, "hono-http");
    this.authentication = new HonoAuthentication(gateway, policies, admission);
    this.defaultMaxPayloadBytes = settings.maxEventPayloadBytes();
  }

  public Route route() {
    return concat(
        path(TELEMETRY, () -> post(() -> publish(TELEMETRY, null, null))),
        path(EVENT, () -> post(() -> publish(EVENT, null, null))),
        path(
            segment(TELEMETRY).slash(segment()).slash(segment()),
            (tenant, device) -> put(() -> publish(TELEMETRY, tenant, device))),
        path(
            segment(EVENT).slash(segment()).slash(segment()),
            (tenant, device) -> put(() -> publish(EVENT, tenant, device))),
        path(
            segment("command").slash("res").slash(segment()),
            requestId -> post(() -> respond(requestId, null, null))),
        pathPrefix(
            segment("command").slash("res").slash(segment()).slash(segment()),
            (tenant, device) ->
                path(segment(), requestId -> put(() -> respond(requestId, tenant, device)))));
  }

  // ---- telemetry and events ----

  private Route publish(String kind, String tenant, String deviceId) {
    return body(
        (request, entity) ->
            parameterOptional(
                "hono-ttd",
                ttdParam -> {
                  HonoRequest.Parsed parsed =
                      HonoRequest.publish(EVENT.equals(kind), request, entity, ttdParam);
                  if (parsed.error() != null) {
                    return complete(error(StatusCodes.BAD_REQUEST, parsed.error()));
                  }
                  HonoRequest hono = parsed.request();
                  Duration longest =
                      Duration.ofSeconds(hono.ttd() == null ? 0 : hono.ttd())
                          .plus(gateway.askTimeout().multipliedBy(4));
                  return withRequestTimeout(
                      longest,
                      () ->
                          asSender(
                              tenant,
                              deviceId,
                              sender -> record(sender, kind, hono, request.getUri().path())));
                }));
  }

  private CompletionStage<HttpResponse> record(
      HonoAuthentication.Sender sender, String kind, HonoRequest hono, String path) {
    return admit(sender.org(), hono.payload().length)
        .thenCompose(
            settings -> {
              Instant receivedAt = Timestamps.now();
              DeviceMessage message =
                  new DeviceMessage(
                      sender.device(),
                      kind,
                      hono.format(),
                      hono.payload(),
                      receivedAt,
                      receivedAt,
                      "hono-http:" + path,
                      DeviceMessage.ACKNOWLEDGED_QOS);
              return gateway
                  .recordVerifiedEvent(message, sender.gateway(), null)
                  .thenApply(HonoStatus::orRefuse)
                  .thenCompose(
                      recorded -> {
                        int ttd =
                            Math.min(
                                hono.ttd() == null ? 0 : hono.ttd(), settings.honoHttp().maxTtd());
                        if (ttd <= 0) {
                          return accepted();
                        }
                        return commandFor(sender, Duration.ofSeconds(ttd));
                      });
            });
  }

  /**
   * Waits for a command: at the device for its own request or a gateway's request for it; at the
   * gateway's own twin for a gateway's request without a device (commands its devices offer it).
   */
  private CompletionStage<HttpResponse> commandFor(HonoAuthentication.Sender sender, Duration ttd) {
    return gateway
        .commands()
        .waitForCommand(sender.device(), sender.gateway(), ttd)
        .thenApply(
            reply -> {
              if (reply instanceof Reply.CommandToDeliver command) {
                return commandResponse(sender, command);
              }
              if (reply instanceof Reply.StateDeltaToDeliver delta) {
                return deltaResponse(sender, delta);
              }
              return HttpResponse.create().withStatus(StatusCodes.ACCEPTED);
            });
  }

  private static HttpResponse commandResponse(
      HonoAuthentication.Sender sender, Reply.CommandToDeliver command) {
    HttpResponse response =
        toTarget(
            sender,
            command.target(),
            HttpResponse.create()
                .withStatus(StatusCodes.OK)
                .addHeader(RawHeader.create("hono-command", command.command()))
                .addHeader(RawHeader.create("hono-cmd-req-id", command.commandId())));
    if (command.payload().length == 0) {
      return response;
    }
    ContentType contentType = ContentTypes.parse(HonoRequest.contentTypeOf(command.format()));
    return response.withEntity(HttpEntities.create(contentType, command.payload()));
  }

  /**
   * The twin's state delta as a one-way command named {@value #DELTA_COMMAND} (no {@code
   * hono-cmd-req-id}: the device answers by reporting its state, not with a command response).
   */
  private static HttpResponse deltaResponse(
      HonoAuthentication.Sender sender, Reply.StateDeltaToDeliver delta) {
    return toTarget(
        sender,
        delta.target(),
        json(StatusCodes.OK, new StateRoutes.DeltaBody(delta.version(), delta.delta()))
            .addHeader(RawHeader.create("hono-command", DELTA_COMMAND)));
  }

  /** A gateway is told which of its devices is to execute what it receives. */
  private static HttpResponse toTarget(
      HonoAuthentication.Sender sender, DeviceKey target, HttpResponse response) {
    DeviceKey requester = sender.gateway() != null ? sender.gateway() : sender.device();
    return target.equals(requester)
        ? response
        : response.addHeader(RawHeader.create("hono-cmd-target-device", target.id()));
  }

  // ---- command responses ----

  private Route respond(String requestId, String tenant, String deviceId) {
    return body(
        (request, entity) -> {
          HonoRequest.Parsed parsed = HonoRequest.response(request, entity);
          if (parsed.error() != null) {
            return complete(error(StatusCodes.BAD_REQUEST, parsed.error()));
          }
          HonoRequest hono = parsed.request();
          return asSender(
              tenant,
              deviceId,
              sender ->
                  admit(sender.org(), hono.payload().length)
                      .thenCompose(
                          admitted ->
                              gateway
                                  .commands()
                                  .respondToCommand(
                                      sender.device(),
                                      requestId,
                                      hono.commandStatus(),
                                      hono.format(),
                                      hono.payload(),
                                      sender.gateway()))
                      .thenApply(HonoStatus::orRefuse)
                      .thenCompose(done -> accepted()));
        });
  }

  /**
   * The device (or gateway) the presented credentials authenticate for the path's tenant and
   * device, then {@code action} of it; an authentication or admission refusal completes with its
   * status.
   */
  private Route asSender(
      String tenant,
      String deviceId,
      Function<HonoAuthentication.Sender, CompletionStage<HttpResponse>> action) {
    return authentication.presented(
        presented ->
            onSuccess(
                Refused.recover(
                    authentication.sender(presented, tenant, deviceId).thenCompose(action)),
                this::complete));
  }

  /** The tenant's payload limit (413) and message budget (429), then its settings. */
  private CompletionStage<Reply.OrganizationSettings> admit(String org, int payloadBytes) {
    return admission
        .admit(org, payloadBytes, defaultMaxPayloadBytes)
        .thenApply(HonoStatus::orRefuse);
  }

  private static CompletionStage<HttpResponse> accepted() {
    return CompletableFuture.completedFuture(
        HttpResponse.create().withStatus(StatusCodes.ACCEPTED));
  }

  /** The request and its whole body, at most 1 MiB (the tenant's own limit is checked later). */
  private Route body(
      java.util.function.BiFunction<
              HttpRequest, org.apache.pekko.http.javadsl.model.HttpEntity.Strict, Route>
          inner) {
    return extractRequest(
        request ->
            withSizeLimit(
                MAX_BODY_BYTES, () -> strictEntity(entity -> inner.apply(request, entity))));
  }
}
