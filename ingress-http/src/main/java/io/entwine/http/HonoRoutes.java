package io.entwine.http;

import static io.entwine.http.ApiResponses.error;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.CertificateAuthentication;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.BasicHttpCredentials;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The Eclipse Hono HTTP adapter (Eclipse Hono 1.2 HTTP adapter user guide,
 * https://www.eclipse.org/hono/docs/1.2/user-guide/http-adapter/): telemetry and events from
 * devices ({@code POST /telemetry}, {@code POST /event}, {@code auth-id@tenant}), from gateways and
 * unauthenticated devices ({@code PUT /telemetry/{tenant}/{device}}), commands in the response to a
 * request with {@code hono-ttd}, and command responses ({@code /command/res/...}). Devices and
 * gateways authenticate with HTTP Basic or, over HTTPS, with a client certificate issued by a CA
 * their tenant trusts (the user guide's "Client Certificate").
 *
 * <p>Each request is one short pipeline: parse (400) → authenticate (401) → tenant allows it (403)
 * → tenant limits (413, 429) → the one ingress path ({@link TwinGateway}) → status. Tenant =
 * organization. Telemetry of either QoS is acknowledged after the twin persisted it.
 */
public final class HonoRoutes extends ApiDirectives {
  static final String TELEMETRY = "telemetry";
  static final String EVENT = "event";
  private static final int MAX_BODY_BYTES = 1 << 20;

  private final TwinGateway gateway;
  private final OrganizationPolicies policies;
  private final CertificateAuthentication certificates;
  private final int defaultMaxPayloadBytes;

  public HonoRoutes(TwinGateway gateway, OrganizationPolicies policies, HttpSettings settings) {
    this.gateway = gateway;
    this.policies = policies;
    this.certificates = new CertificateAuthentication(gateway, policies);
    this.defaultMaxPayloadBytes = settings.maxEventPayloadBytes();
  }

  /** Who sent a request: the device it is for and, when a gateway sent it, the gateway. */
  private record Sender(String org, DeviceKey device, DeviceKey gateway) {}

  /** A step's failure, carried to the end of the pipeline as its response. */
  private static final class Refused extends RuntimeException {
    final transient HttpResponse response;

    Refused(HttpResponse response) {
      super(null, null, false, false);
      this.response = response;
    }
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
                  return presented(
                      presented ->
                          withRequestTimeout(
                              longest,
                              () ->
                                  onSuccess(
                                      recover(
                                          sender(presented, tenant, deviceId)
                                              .thenCompose(
                                                  sender ->
                                                      record(
                                                          sender,
                                                          kind,
                                                          hono,
                                                          request.getUri().path()))),
                                      this::complete)));
                }));
  }

  private CompletionStage<HttpResponse> record(
      Sender sender, String kind, HonoRequest hono, String path) {
    return admit(sender.org(), hono.payload().length)
        .thenCompose(
            adapter -> {
              Instant receivedAt = Timestamps.now();
              DeviceMessage message =
                  new DeviceMessage(
                      sender.device(),
                      kind,
                      hono.format(),
                      hono.payload(),
                      receivedAt,
                      receivedAt,
                      "hono-http:" + path);
              return gateway
                  .recordVerifiedEvent(message, sender.gateway(), null)
                  .thenApply(HonoRoutes::orRefuse)
                  .thenCompose(
                      recorded -> {
                        int ttd = Math.min(hono.ttd() == null ? 0 : hono.ttd(), adapter.maxTtd());
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
  private CompletionStage<HttpResponse> commandFor(Sender sender, Duration ttd) {
    return gateway
        .waitForCommand(sender.device(), sender.gateway(), ttd)
        .thenApply(
            reply -> {
              if (reply instanceof Reply.CommandToDeliver command) {
                return commandResponse(sender, command);
              }
              return HttpResponse.create().withStatus(StatusCodes.ACCEPTED);
            });
  }

  private static HttpResponse commandResponse(Sender sender, Reply.CommandToDeliver command) {
    HttpResponse response =
        HttpResponse.create()
            .withStatus(StatusCodes.OK)
            .addHeader(RawHeader.create("hono-command", command.command()))
            .addHeader(RawHeader.create("hono-cmd-req-id", command.commandId()));
    // A gateway is told which of its devices is to execute it.
    DeviceKey requester = sender.gateway() != null ? sender.gateway() : sender.device();
    if (!command.target().equals(requester)) {
      response =
          response.addHeader(RawHeader.create("hono-cmd-target-device", command.target().id()));
    }
    if (command.payload().length == 0) {
      return response;
    }
    ContentType contentType = ContentTypes.parse(HonoRequest.contentTypeOf(command.format()));
    return response.withEntity(HttpEntities.create(contentType, command.payload()));
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
          return presented(
              presented ->
                  onSuccess(
                      recover(
                          sender(presented, tenant, deviceId)
                              .thenCompose(
                                  sender ->
                                      admit(sender.org(), hono.payload().length)
                                          .thenCompose(
                                              adapter ->
                                                  gateway.ask(
                                                      gateway.twin(sender.device()),
                                                      replyTo ->
                                                          new TwinCommand.RespondToCommand(
                                                              requestId,
                                                              hono.commandStatus(),
                                                              hono.format(),
                                                              hono.payload(),
                                                              sender.gateway(),
                                                              Timestamps.now(),
                                                              replyTo)))
                                          .thenApply(HonoRoutes::orRefuse)
                                          .thenCompose(done -> accepted()))),
                      this::complete));
        });
  }

  // ---- who sends ----

  /** What a request presents to prove who sends it: HTTP Basic, a TLS client certificate. */
  private record Presented(
      Optional<BasicHttpCredentials> basic,
      List<X509Certificate> certificateChain,
      String address) {}

  private Route presented(Function<Presented, Route> inner) {
    return extractCredentials(
        credentials ->
            optionalAttribute(
                AttributeKeys.sslSession,
                tls ->
                    extractClientIP(
                        remote ->
                            inner.apply(
                                new Presented(
                                    credentials
                                        .filter(c -> c instanceof BasicHttpCredentials)
                                        .map(c -> (BasicHttpCredentials) c),
                                    tls.map(HonoRoutes::peerCertificates).orElse(List.of()),
                                    remote
                                        .getAddress()
                                        .map(a -> a.getHostAddress())
                                        .orElse(null))))));
  }

  private static List<X509Certificate> peerCertificates(SslSessionInfo tls) {
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : tls.getSession().getPeerCertificates()) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return chain;
    } catch (SSLPeerUnverifiedException noCertificate) {
      return List.of();
    }
  }

  /**
   * The sender of a request: {@code POST} paths (no tenant) need an authenticated device; {@code
   * PUT} paths name tenant and device, sent by an authenticated gateway for it (or by the device
   * itself) or, when the tenant allows it, without credentials.
   */
  private CompletionStage<Sender> sender(Presented presented, String tenant, String deviceId) {
    Optional<CompletionStage<DeviceKey>> authenticated = authenticated(presented);
    if (tenant == null) {
      if (authenticated.isEmpty()) {
        return refuse(
            challenge(
                "HTTP Basic authentication as auth-id@tenant or a client certificate is required"));
      }
      return authenticated
          .get()
          .thenCompose(device -> adapterAllows(device.org()).thenApply(a -> device))
          .thenApply(device -> new Sender(device.org(), device, null));
    }
    Optional<String> pathOrg = Ids.tenantOrg(tenant);
    if (pathOrg.isEmpty()) {
      return refuse(error(StatusCodes.NOT_FOUND, "Tenant '" + tenant + "' does not exist"));
    }
    String org = pathOrg.get();
    if (authenticated.isPresent()) {
      return authenticated
          .get()
          .thenCompose(
              gatewayKey -> {
                if (!gatewayKey.org().equals(org)) {
                  return refuse(
                      error(
                          StatusCodes.FORBIDDEN,
                          "Device '" + deviceId + "' belongs to another tenant than the gateway"));
                }
                return adapterAllows(org)
                    .thenCompose(adapter -> resolve(org, deviceId))
                    .thenApply(
                        device ->
                            new Sender(org, device, device.equals(gatewayKey) ? null : gatewayKey));
              });
    }
    return adapterAllows(org)
        .thenCompose(
            adapter -> {
              if (!adapter.allowUnauthenticated()) {
                return refuse(
                    challenge(
                        "Tenant '"
                            + tenant
                            + "' requires devices to authenticate (HTTP Basic, auth-id@tenant, or"
                            + " a client certificate)"));
              }
              return resolve(org, deviceId).thenApply(device -> new Sender(org, device, null));
            });
  }

  /**
   * The authenticated device, in Hono's order: the client certificate, then HTTP Basic (also when
   * the certificate does not authenticate); empty when the request presents neither.
   */
  private Optional<CompletionStage<DeviceKey>> authenticated(Presented presented) {
    if (presented.certificateChain().isEmpty()) {
      return presented.basic().map(basic -> authenticate(basic, presented.address()));
    }
    CompletionStage<DeviceKey> byCertificate = authenticate(presented.certificateChain());
    if (presented.basic().isEmpty()) {
      return Optional.of(byCertificate);
    }
    return Optional.of(
        byCertificate.exceptionallyCompose(
            failure -> authenticate(presented.basic().get(), presented.address())));
  }

  /** A client certificate (see {@link CertificateAuthentication}); 401 when it names no device. */
  private CompletionStage<DeviceKey> authenticate(List<X509Certificate> chain) {
    return certificates
        .authenticate(chain)
        .thenApply(reply -> ((Reply.DeviceFound) orRefuse(reply)).device());
  }

  private CompletionStage<DeviceKey> authenticate(
      BasicHttpCredentials credentials, String address) {
    String username = credentials.username();
    int at = username.lastIndexOf('@');
    Optional<String> org = at > 0 ? Ids.tenantOrg(username.substring(at + 1)) : Optional.empty();
    if (org.isEmpty()) {
      return refuse(challenge("The username must be auth-id@tenant"));
    }
    return gateway
        .authenticateCredential(
            org.get(), username.substring(0, at), credentials.password(), address)
        .thenApply(reply -> ((Reply.DeviceFound) orRefuse(reply)).device());
  }

  private CompletionStage<DeviceKey> resolve(String org, String deviceId) {
    Optional<String> invalid = Ids.checkDevicePart("device id", deviceId);
    if (invalid.isPresent()) {
      return refuse(error(StatusCodes.NOT_FOUND, invalid.get()));
    }
    return gateway
        .resolveDeviceId(org, deviceId)
        .thenApply(reply -> ((Reply.DeviceFound) orRefuse(reply)).device());
  }

  /** The tenant's adapter configuration; 403 when the tenant may not use this adapter. */
  private CompletionStage<Reply.HonoHttpAdapter> adapterAllows(String org) {
    return policies
        .settings(org)
        .thenApply(
            reply -> {
              if (!(reply instanceof Reply.OrganizationSettings settings)) {
                throw new Refused(error(StatusCodes.NOT_FOUND, "Tenant does not exist"));
              }
              if (!settings.honoHttp().enabled()) {
                throw new Refused(
                    error(
                        StatusCodes.FORBIDDEN,
                        "Tenant '" + org + "' is not allowed to use the Hono HTTP adapter"));
              }
              return settings.honoHttp();
            });
  }

  /** The tenant's payload limit (413) and message budget (429). */
  private CompletionStage<Reply.HonoHttpAdapter> admit(String org, int payloadBytes) {
    return policies
        .settings(org)
        .thenApply(
            reply -> {
              Reply.OrganizationSettings settings = (Reply.OrganizationSettings) orRefuse(reply);
              Reply.MessageLimits limits = settings.limits();
              int maxPayload =
                  limits.maxPayloadBytes() > 0 ? limits.maxPayloadBytes() : defaultMaxPayloadBytes;
              if (payloadBytes > maxPayload) {
                throw new Refused(
                    error(
                        StatusCodes.PAYLOAD_TOO_LARGE,
                        "The body is larger than the tenant's limit of " + maxPayload + " bytes"));
              }
              if (!policies.tryAdmit(org, limits)) {
                throw new Refused(
                    error(
                        StatusCodes.TOO_MANY_REQUESTS,
                        "The tenant's message limit of "
                            + limits.messagesPerPeriod()
                            + " per "
                            + limits.periodSeconds()
                            + " s is exceeded"));
              }
              return settings.honoHttp();
            });
  }

  // ---- replies to status codes ----

  /** The reply, unless it is a rejection: then the pipeline ends with Hono's status for it. */
  private static Reply orRefuse(Reply reply) {
    if (reply instanceof Reply.Rejected rejected) {
      throw new Refused(response(rejected));
    }
    if (reply instanceof Reply.NeedsVerification) {
      throw new Refused(challenge(Reply.Rejected.UNAUTHORIZED_MESSAGE));
    }
    return reply;
  }

  /** The user guide's status codes: a disabled or unknown device is 404. */
  static HttpResponse response(Reply.Rejected rejected) {
    if (rejected.reason() == Rejection.LIMIT_EXCEEDED
        || rejected.reason() == Rejection.UNAVAILABLE) {
      return ApiResponses.rejection(rejected);
    }
    StatusCode status =
        switch (rejected.reason()) {
          case UNAUTHORIZED -> null;
          case DISABLED, NOT_FOUND -> StatusCodes.NOT_FOUND;
          case TIMED_OUT -> StatusCodes.SERVICE_UNAVAILABLE;
          default -> ApiResponses.statusOf(rejected.reason());
        };
    return status == null ? challenge(rejected.message()) : error(status, rejected.message());
  }

  private static HttpResponse challenge(String message) {
    return ApiResponses.unauthorized("Basic", message);
  }

  private static <T> CompletionStage<T> refuse(HttpResponse response) {
    return CompletableFuture.failedFuture(new Refused(response));
  }

  private static CompletionStage<HttpResponse> accepted() {
    return CompletableFuture.completedFuture(
        HttpResponse.create().withStatus(StatusCodes.ACCEPTED));
  }

  /** A refused step becomes its response; other failures go to the shared error policy. */
  private static CompletionStage<HttpResponse> recover(CompletionStage<HttpResponse> pipeline) {
    return pipeline.exceptionallyCompose(
        failure -> {
          Throwable cause =
              failure instanceof java.util.concurrent.CompletionException
                      && failure.getCause() != null
                  ? failure.getCause()
                  : failure;
          if (cause instanceof Refused refused) {
            return CompletableFuture.completedFuture(refused.response);
          }
          return CompletableFuture.completedFuture(EntwineRoutes.responseFor(cause));
        });
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
