package io.entwine.http.tencent;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.credentials.SecretBox;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.ApiResponses;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.Json;
import io.entwine.http.common.Refused;
import io.entwine.http.server.EntwineRoutes;
import io.entwine.http.server.HttpSettings;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.Admission;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Tencent IoT Hub's signed HTTP publish (Tencent IoT Hub documentation, "Device connection over
 * HTTP"; {@link TencentSignature}): {@code POST /device/publish} to {@code ORG.<domain>}, ProductId
 * = device type, DeviceName = device id, signed with the device's PSK: {@code X-TC-Signature} =
 * HMAC(psk, StringToSign) with StringToSign = {@code
 * POST\n{host}\n{uri}\n{query}\n{algorithm}\n{timestamp}\n{nonce}\n{hex SHA-256 of the body}}, as
 * Base64 or as lowercase hex (what {@code openssl dgst -hmac} prints).
 *
 * <p>The host is the {@code Host} header in lower case, Tencent's canonical form (its API
 * signatures lower-case header values): host names are case-insensitive (RFC 3986, section 3.2.2)
 * and pekko-http hands the route the host already lower-cased, so the case a client sent cannot be
 * known here. A signature over the host in upper case is accepted too, for clients that sign an
 * upper-case host as they send it.
 */
public final class TencentRoutes extends ApiDirectives {
  private static final int MAX_BODY_BYTES = 1 << 20;

  private final TwinGateway gateway;
  private final Admission admission;
  private final SecretBox secretBox;
  private final Authentication authentication;
  private final int defaultMaxPayloadBytes;
  private final Duration window;

  public TencentRoutes(
      TwinGateway gateway,
      OrganizationPolicies policies,
      SecretBox secretBox,
      Authentication authentication,
      HttpSettings settings,
      Duration timestampWindow) {
    this.gateway = gateway;
    this.admission = new Admission(policies, gateway, "tencent-http");
    this.secretBox = secretBox;
    this.authentication = authentication;
    this.defaultMaxPayloadBytes = settings.maxEventPayloadBytes();
    this.window = timestampWindow;
  }

  public record Error(@JsonProperty("Code") String code, @JsonProperty("Message") String message) {}

  public record Body(
      @JsonProperty("Error") Error error, @JsonProperty("RequestId") String requestId) {}

  public record Envelope(@JsonProperty("Response") Body response) {}

  private record Publish(DeviceKey device, String eventId, byte[] payload, String format) {}

  public Route route() {
    return path(
        segment("device").slash("publish"),
        () ->
            post(
                () ->
                    authentication.hostOrganization(
                        org ->
                            authentication.clientAddress(
                                address ->
                                    extractRequest(
                                        request ->
                                            withSizeLimit(
                                                MAX_BODY_BYTES,
                                                () ->
                                                    strictEntity(
                                                        entity ->
                                                            onSuccess(
                                                                recover(
                                                                    publish(
                                                                        org, address, request,
                                                                        entity)),
                                                                this::complete))))))));
  }

  private CompletionStage<HttpResponse> publish(
      Optional<String> org, String address, HttpRequest request, HttpEntity.Strict entity) {
    try {
      if (org.isEmpty()) {
        throw invalid("Address the request to your organization's host, ORG.<domain>");
      }
      TencentSignature signed = TencentSignature.of(request, entity.getData().toArray());
      Publish publish = parse(entity, org.get());
      return admission
          .organization(org.get())
          .thenApply(known -> withinPayloadLimit(org.get(), known, publish))
          .thenCompose(
              settings ->
                  gateway
                      .devicePsk(publish.device(), address)
                      .thenApply(
                          psk -> {
                            verify(signed, psk);
                            // only a signed request counts against the budget
                            orRefuse(admission.budget(org.get(), settings));
                            return psk;
                          }))
          .thenCompose(
              verified -> {
                Instant receivedAt = Timestamps.now();
                return gateway.recordVerifiedEvent(
                    new DeviceMessage(
                        publish.device(),
                        publish.eventId(),
                        publish.format(),
                        publish.payload(),
                        receivedAt,
                        receivedAt,
                        "tencent-http",
                        DeviceMessage.ACKNOWLEDGED_QOS),
                    null,
                    signed.nonce());
              })
          .thenApply(
              recorded -> {
                if (recorded instanceof Reply.Rejected rejected) {
                  throw refusal(rejected);
                }
                return envelope(StatusCodes.OK, null);
              });
    } catch (Refused refused) {
      return CompletableFuture.completedFuture(refused.response());
    }
  }

  private Publish parse(HttpEntity.Strict entity, String org) {
    var media = entity.getContentType().mediaType();
    if (!"application".equals(media.mainType()) || !"json".equals(media.subType())) {
      throw invalid("The API only supports the application/json format");
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(entity.getData().toArray());
    } catch (JsonProcessingException e) {
      throw invalid("Invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw invalid("Invalid JSON: " + e.getMessage());
    }
    if (body == null || !body.isObject()) {
      throw invalid("The body must be a JSON object");
    }
    String productId = text(body, "ProductId");
    String deviceName = text(body, "DeviceName");
    String topic = text(body, "TopicName");
    String payloadText = text(body, "Payload");
    JsonNode qos = body.get("Qos");
    if (qos == null || !qos.isInt() || (qos.intValue() != 0 && qos.intValue() != 1)) {
      throw invalid("Qos is required: 0 or 1");
    }
    Ids.checkDevicePart("ProductId", productId)
        .or(() -> Ids.checkDevicePart("DeviceName", deviceName))
        .ifPresent(
            message -> {
              throw invalid(message);
            });
    String prefix = productId + "/" + deviceName + "/";
    if (!topic.startsWith(prefix)) {
      throw refused(
          StatusCodes.FORBIDDEN,
          "UnauthorizedOperation.PermissionDenied",
          "TopicName '" + topic + "' does not belong to device " + prefix);
    }
    String eventId = topic.substring(prefix.length());
    Ids.checkEventId(eventId)
        .ifPresent(
            message -> {
              throw invalid("The topic after " + prefix + ": " + message);
            });
    JsonNode encoding = body.get("PayloadEncoding");
    byte[] payload;
    String format;
    if (encoding != null && !encoding.isNull() && !encoding.asText().isEmpty()) {
      if (!"base64".equalsIgnoreCase(encoding.asText())) {
        throw invalid("PayloadEncoding supports only base64");
      }
      try {
        payload = Base64.getDecoder().decode(payloadText);
      } catch (IllegalArgumentException e) {
        throw invalid("Payload is not valid base64");
      }
      format = "bin";
    } else {
      Payloads.Inspection json =
          Payloads.inspect(Payloads.JSON, payloadText.getBytes(StandardCharsets.UTF_8));
      format = json.isValid() ? Payloads.JSON : "text";
      payload = json.isValid() ? json.payload() : payloadText.getBytes(StandardCharsets.UTF_8);
    }
    return new Publish(new DeviceKey(org, productId, deviceName), eventId, payload, format);
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual()) {
      throw invalid(field + " is required (a string)");
    }
    return value.asText();
  }

  // ---- checks ----

  /** The organization's settings, when the payload is within its limit. */
  private Reply.OrganizationSettings withinPayloadLimit(
      String org, Admission.Decision known, Publish publish) {
    Reply.OrganizationSettings settings = orRefuse(known);
    orRefuse(
        admission.payloadLimit(org, settings, publish.payload().length, defaultMaxPayloadBytes));
    return settings;
  }

  private void verify(TencentSignature signed, Reply pskReply) {
    if (pskReply instanceof Reply.Rejected rejected) {
      throw refusal(rejected);
    }
    String psk = secretBox.decrypt(((Reply.EncryptedPsk) pskReply).encrypted());
    if (!signed.matches(psk)) {
      throw signatureFailure();
    }
    long skew = Math.abs(Instant.now().getEpochSecond() - signed.timestamp());
    if (skew > window.toSeconds()) {
      throw refused(
          StatusCodes.UNAUTHORIZED,
          "AuthFailure.SignatureExpire",
          "X-TC-Timestamp is more than " + window.toSeconds() + " s away from the server's time");
    }
  }

  // ---- answers ----

  private static Reply.OrganizationSettings orRefuse(Admission.Decision decision) {
    orRefuse(decision.refusal());
    return decision.settings();
  }

  private static void orRefuse(Admission.Refusal refusal) {
    if (refusal != null) {
      throw refusal(refusal);
    }
  }

  /** An unknown organization answers as an unknown device: devices cannot be enumerated. */
  private static Refused refusal(Admission.Refusal refusal) {
    return switch (refusal.reason()) {
      case UNKNOWN_ORGANIZATION -> signatureFailure();
      case ADAPTER_DISABLED ->
          refused(StatusCodes.FORBIDDEN, "FailedOperation", "The adapter is disabled");
      case PAYLOAD_TOO_LARGE ->
          refused(
              StatusCodes.PAYLOAD_TOO_LARGE,
              "LimitExceeded.PayloadTooLarge",
              "The payload is larger than the limit of " + refusal.maxPayloadBytes() + " bytes");
      case OVER_BUDGET ->
          refused(
              StatusCodes.TOO_MANY_REQUESTS,
              "RequestLimitExceeded",
              "The organization's message limit of "
                  + refusal.limits().messagesPerPeriod()
                  + " per "
                  + refusal.limits().periodSeconds()
                  + " s is exceeded");
    };
  }

  private static Refused refusal(Reply.Rejected rejected) {
    return switch (rejected.reason()) {
      case DISABLED ->
          refused(StatusCodes.FORBIDDEN, "FailedOperation.DeviceDisabled", rejected.message());
      case ALREADY_EXISTS ->
          refused(StatusCodes.UNAUTHORIZED, "AuthFailure.NonceUsed", rejected.message());
      case NOT_FOUND, UNAUTHORIZED -> signatureFailure();
      default ->
          refused(ApiResponses.statusOf(rejected.reason()), "FailedOperation", rejected.message());
    };
  }

  /** Unknown device, no PSK, wrong signature: one answer, so devices cannot be enumerated. */
  private static Refused signatureFailure() {
    return refused(
        StatusCodes.UNAUTHORIZED,
        "AuthFailure.SignatureFailure",
        "The signature does not match, or the device has no PSK");
  }

  static Refused invalid(String message) {
    return refused(StatusCodes.BAD_REQUEST, "InvalidParameter", message);
  }

  private static Refused refused(StatusCode status, String code, String message) {
    return new Refused(envelope(status, new Error(code, message)));
  }

  private static HttpResponse envelope(StatusCode status, Error error) {
    return ApiResponses.json(status, new Envelope(new Body(error, UUID.randomUUID().toString())));
  }

  /** A refused step answers its refusal; other failures in Tencent's form, without details. */
  private static CompletionStage<HttpResponse> recover(CompletionStage<HttpResponse> pipeline) {
    return Refused.recover(
        pipeline,
        cause -> {
          if (cause instanceof IllegalArgumentException) {
            // a PSK that this node's key cannot decrypt
            return signatureFailure().response();
          }
          HttpResponse response = EntwineRoutes.responseFor(cause);
          return envelope(response.status(), new Error("InternalError", "Retry later"));
        });
  }
}
