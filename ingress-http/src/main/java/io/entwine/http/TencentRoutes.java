package io.entwine.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.credentials.SecretBox;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.protocol.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Tencent IoT Hub's signed HTTP publish (Tencent Cloud IoT Hub, "HTTP-Based Device Connection",
 * https://www.tencentcloud.com/document/product/1105/41822): {@code POST /device/publish} to {@code
 * ORG.<domain>}, ProductId = device type, DeviceName = device id, signed with the device's PSK:
 * {@code X-TC-Signature} = HMAC(psk, StringToSign) with StringToSign = {@code
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
  private final OrganizationPolicies policies;
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
    this.policies = policies;
    this.secretBox = secretBox;
    this.authentication = authentication;
    this.defaultMaxPayloadBytes = settings.maxEventPayloadBytes();
    this.window = timestampWindow;
  }

  public record Error(@JsonProperty("Code") String code, @JsonProperty("Message") String message) {}

  public record Body(
      @JsonProperty("Error") Error error, @JsonProperty("RequestId") String requestId) {}

  public record Envelope(@JsonProperty("Response") Body response) {}

  /** A refusal in Tencent's error form; ends the pipeline. */
  private static final class Refused extends RuntimeException {
    final transient HttpResponse response;

    Refused(StatusCode status, String code, String message) {
      super(null, null, false, false);
      this.response = envelope(status, new Error(code, message));
    }
  }

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
      Signed signed = Signed.of(request, entity.getData().toArray());
      Publish publish = parse(entity, org.get());
      return policies
          .settings(org.get())
          .thenApply(settings -> withinPayloadLimit(settings, publish))
          .thenCompose(
              limits ->
                  gateway
                      .devicePsk(publish.device(), address)
                      .thenApply(
                          psk -> {
                            verify(signed, psk);
                            // only a signed request counts against the budget
                            admit(org.get(), limits);
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
                        "tencent-http"),
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
      return CompletableFuture.completedFuture(refused.response);
    }
  }

  // ---- the request ----

  /** The signature headers and the StringToSign they cover. */
  private record Signed(
      String algorithm, long timestamp, String nonce, String signature, List<String> signedTexts) {

    static Signed of(HttpRequest request, byte[] body) {
      String algorithm = header(request, "X-TC-Algorithm");
      String timestampText = header(request, "X-TC-Timestamp");
      String nonce = header(request, "X-TC-Nonce");
      String signature = header(request, "X-TC-Signature");
      if (!"HmacSha256".equals(algorithm) && !"HmacSha1".equals(algorithm)) {
        throw invalid("X-TC-Algorithm must be HmacSha256 or HmacSha1");
      }
      long timestamp;
      try {
        timestamp = Long.parseLong(timestampText);
      } catch (NumberFormatException e) {
        throw invalid("X-TC-Timestamp must be the Unix time in seconds");
      }
      if (nonce.isEmpty()) {
        throw invalid("X-TC-Nonce is required");
      }
      String host = request.getHeader("Host").map(h -> h.value()).orElse("");
      String rest =
          String.join(
              "\n",
              request.getUri().path(),
              request.getUri().rawQueryString().orElse(""),
              algorithm,
              timestampText,
              nonce,
              HexFormat.of().formatHex(sha256(body)));
      String lower = host.toLowerCase(Locale.ROOT);
      String upper = host.toUpperCase(Locale.ROOT);
      return new Signed(
          algorithm,
          timestamp,
          nonce,
          signature,
          List.of("POST\n" + lower + "\n" + rest, "POST\n" + upper + "\n" + rest));
    }
  }

  private static String header(HttpRequest request, String name) {
    return request.getHeader(name).map(h -> h.value().strip()).orElse("");
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
      throw new Refused(
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

  /** The organization's limits, when the payload is within them (413 otherwise). */
  private Reply.MessageLimits withinPayloadLimit(Reply settingsReply, Publish publish) {
    if (!(settingsReply instanceof Reply.OrganizationSettings settings)) {
      throw signatureFailure();
    }
    Reply.MessageLimits limits = settings.limits();
    int max = limits.maxPayloadBytes() > 0 ? limits.maxPayloadBytes() : defaultMaxPayloadBytes;
    if (publish.payload().length > max) {
      throw new Refused(
          StatusCodes.PAYLOAD_TOO_LARGE,
          "LimitExceeded.PayloadTooLarge",
          "The payload is larger than the limit of " + max + " bytes");
    }
    return limits;
  }

  /** Counts the message against the organization's budget (429 when it is used up). */
  private void admit(String org, Reply.MessageLimits limits) {
    if (!policies.tryAdmit(org, limits)) {
      throw new Refused(
          StatusCodes.TOO_MANY_REQUESTS,
          "RequestLimitExceeded",
          "The organization's message limit of "
              + limits.messagesPerPeriod()
              + " per "
              + limits.periodSeconds()
              + " s is exceeded");
    }
  }

  private void verify(Signed signed, Reply pskReply) {
    if (pskReply instanceof Reply.Rejected rejected) {
      throw refusal(rejected);
    }
    String psk = secretBox.decrypt(((Reply.EncryptedPsk) pskReply).encrypted());
    boolean matches = false;
    for (String signedText : signed.signedTexts()) {
      byte[] expected = hmac(signed.algorithm(), psk, signedText);
      byte[] presented = decodeSignature(signed.signature(), expected.length);
      matches |= presented != null && MessageDigest.isEqual(expected, presented);
    }
    if (!matches) {
      throw signatureFailure();
    }
    long skew = Math.abs(Instant.now().getEpochSecond() - signed.timestamp());
    if (skew > window.toSeconds()) {
      throw new Refused(
          StatusCodes.UNAUTHORIZED,
          "AuthFailure.SignatureExpire",
          "X-TC-Timestamp is more than " + window.toSeconds() + " s away from the server's time");
    }
  }

  /** Base64 as Tencent documents it, or hex as its sample and openssl print it. */
  private static byte[] decodeSignature(String signature, int length) {
    try {
      if (signature.length() == length * 2 && signature.matches("[0-9a-fA-F]+")) {
        return HexFormat.of().parseHex(signature.toLowerCase(Locale.ROOT));
      }
      return Base64.getDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static byte[] hmac(String algorithm, String key, String data) {
    String jca = "HmacSha1".equals(algorithm) ? "HmacSHA1" : "HmacSHA256";
    try {
      Mac mac = Mac.getInstance(jca);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), jca));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(jca + " is part of every JDK", e);
    }
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  // ---- answers ----

  private static Refused refusal(Reply.Rejected rejected) {
    return switch (rejected.reason()) {
      case DISABLED ->
          new Refused(StatusCodes.FORBIDDEN, "FailedOperation.DeviceDisabled", rejected.message());
      case ALREADY_EXISTS ->
          new Refused(StatusCodes.UNAUTHORIZED, "AuthFailure.NonceUsed", rejected.message());
      case NOT_FOUND, UNAUTHORIZED -> signatureFailure();
      default ->
          new Refused(
              ApiResponses.statusOf(rejected.reason()), "FailedOperation", rejected.message());
    };
  }

  /** Unknown device, no PSK, wrong signature: one answer, so devices cannot be enumerated. */
  private static Refused signatureFailure() {
    return new Refused(
        StatusCodes.UNAUTHORIZED,
        "AuthFailure.SignatureFailure",
        "The signature does not match, or the device has no PSK");
  }

  private static Refused invalid(String message) {
    return new Refused(StatusCodes.BAD_REQUEST, "InvalidParameter", message);
  }

  private static HttpResponse envelope(StatusCode status, Error error) {
    return ApiResponses.json(status, new Envelope(new Body(error, UUID.randomUUID().toString())));
  }

  private static CompletionStage<HttpResponse> recover(CompletionStage<HttpResponse> pipeline) {
    return pipeline.exceptionally(
        failure -> {
          Throwable cause =
              failure instanceof java.util.concurrent.CompletionException
                      && failure.getCause() != null
                  ? failure.getCause()
                  : failure;
          if (cause instanceof Refused refused) {
            return refused.response;
          }
          if (cause instanceof IllegalArgumentException) {
            // a PSK that this node's key cannot decrypt
            return signatureFailure().response;
          }
          HttpResponse response = EntwineRoutes.responseFor(cause);
          return envelope(response.status(), new Error("InternalError", "Retry later"));
        });
  }
}
