package io.entwine.http.common;

import static io.entwine.http.common.ApiResponses.error;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.concurrent.Failures;
import io.entwine.http.server.EntwineRoutes;
import io.entwine.identity.DeviceKey;
import io.entwine.identity.Ids;
import io.entwine.integration.RejectedReply;
import io.entwine.protocol.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatcher1;
import org.apache.pekko.http.javadsl.server.PathMatcher2;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;

/**
 * Directives every API route shares: the device a request addresses, JSON request bodies and
 * completing with an entity reply.
 */
public abstract class ApiDirectives extends AllDirectives {
  private static final Duration BODY_READ_TIMEOUT = Duration.ofSeconds(10);

  /** A device as IBM's v0002 API addresses it: {@code api/v0002/device/types/{T}/devices/{ID}}. */
  protected static final PathMatcher2<String, String> DEVICE_PATH = devicePath("device");

  /** A device as applications address it: {@code api/v0002/application/types/{T}/devices/{ID}}. */
  protected static final PathMatcher2<String, String> APPLICATION_DEVICE_PATH =
      devicePath("application");

  private static PathMatcher2<String, String> devicePath(String side) {
    return segment("api")
        .slash("v0002")
        .slash(side)
        .slash("types")
        .slash(segment())
        .slash("devices")
        .slash(segment());
  }

  /** 400 unless {@code value} is a valid device type or id ({@code what} names it). */
  protected Route validDevicePart(String what, String value, Supplier<Route> inner) {
    return Ids.checkDevicePart(what, value)
        .map(message -> complete(error(StatusCodes.BAD_REQUEST, message)))
        .orElseGet(inner);
  }

  /** The next path segment as a device type: 400 unless it is a valid one. */
  protected Route deviceTypeSegment(Function<String, Route> inner) {
    return pathPrefix(
        segment(), type -> validDevicePart("device type", type, () -> inner.apply(type)));
  }

  /** 400 unless {@code type} and {@code id} are a valid device type and id. */
  protected Route validDevice(String type, String id, Supplier<Route> inner) {
    return validDevicePart("device type", type, () -> validDevicePart("device id", id, inner));
  }

  /**
   * The route preamble of a device resource an application uses: the device's type and id are valid
   * (else 400, before authentication), the caller has an API key (else 401/403), and the device is
   * the one of that key's organization — no request reaches another organization's.
   */
  protected Route apiKeyDevice(
      Authentication authentication, String type, String id, Function<DeviceKey, Route> inner) {
    return validDevice(
        type,
        id,
        () ->
            authentication.apiKey(
                principal -> inner.apply(new DeviceKey(principal.org(), type, id))));
  }

  /** {@code api/v0002/device/types/{type}}: IBM's v0002 address of a device type. */
  protected static final PathMatcher1<String> V0002_DEVICE_TYPE =
      segment("api").slash("v0002").slash("device").slash("types").slash(segment());

  /**
   * The request body in memory. A body that arrived with its headers is already strict, and then
   * used as it is: pekko-http's {@code toStrictEntity} runs a stream for it all the same (1.3.0),
   * which cost every small request the creation and stop of an actor (docs/performance.md). Bodies
   * over a {@code withSizeLimit} (or {@code max-content-length}) are never strict here: they get
   * 413, at once when their Content-Length says so. A broken chunked framing gets 400, a body that
   * does not arrive within {@link #BODY_READ_TIMEOUT} 408 — client mistakes, answered without a
   * stack trace in the log.
   */
  protected Route strictEntity(Function<HttpEntity.Strict, Route> inner) {
    return extractRequestEntity(
        entity ->
            entity instanceof HttpEntity.Strict strict
                ? inner.apply(strict)
                : extractMaterializer(
                    materializer ->
                        onComplete(
                            // no byte limit of its own: withSizeLimit's applies, with its own 413
                            entity.toStrict(
                                BODY_READ_TIMEOUT.toMillis(), Long.MAX_VALUE, materializer),
                            read ->
                                read.isSuccess()
                                    ? inner.apply(read.get())
                                    : complete(unreadableBody(read.failed().get())))));
  }

  private static HttpResponse unreadableBody(Throwable failure) {
    Throwable cause = Failures.cause(failure);
    if (cause instanceof TimeoutException) {
      return error(
          StatusCodes.REQUEST_TIMEOUT,
          "The body did not arrive within " + BODY_READ_TIMEOUT.toSeconds() + " s");
    }
    if (cause instanceof EntityStreamException framing) {
      return error(StatusCodes.BAD_REQUEST, "Malformed body: " + framing.info().summary());
    }
    return EntwineRoutes.responseFor(cause);
  }

  /** The body as a JSON object; an absent body is an empty object when {@code optional}. */
  protected Route jsonObject(boolean optional, Function<ObjectNode, Route> inner) {
    return strictEntity(
        entity -> {
          byte[] bytes = entity.getData().toArray();
          if (bytes.length == 0) {
            return optional
                ? inner.apply(Json.MAPPER.createObjectNode())
                : complete(error(StatusCodes.BAD_REQUEST, "A JSON object is required as body"));
          }
          JsonNode body;
          try {
            body = Json.MAPPER.readTree(bytes);
          } catch (JsonProcessingException e) {
            return complete(
                error(StatusCodes.BAD_REQUEST, "Invalid JSON: " + e.getOriginalMessage()));
          } catch (IOException e) {
            return complete(error(StatusCodes.BAD_REQUEST, "Invalid JSON: " + e.getMessage()));
          }
          if (body == null || !body.isObject()) {
            return complete(error(StatusCodes.BAD_REQUEST, "The body must be a JSON object"));
          }
          return inner.apply((ObjectNode) body);
        });
  }

  /** Completes with the reply's error, or with {@code onSuccess} of it. */
  protected Route completeReply(
      CompletionStage<Reply> reply, Function<Reply, HttpResponse> onSuccess) {
    return onSuccess(reply, r -> complete(ApiResponses.fromReply(r, onSuccess)));
  }

  /** Completes with 200 and {@code body} of the answer as JSON. */
  protected <T> Route completeOk(CompletionStage<T> answer, Function<T, Object> body) {
    return onSuccess(answer, a -> complete(ApiResponses.json(StatusCodes.OK, body.apply(a))));
  }

  /** Completes with an integration entity's refusal as an error, else with {@code onSuccess}. */
  protected <R> Route completeEntityReply(
      CompletionStage<R> reply, Function<R, HttpResponse> onSuccess) {
    return onSuccess(
        reply,
        r ->
            complete(
                r instanceof RejectedReply rejected
                    ? error(ApiResponses.statusOf(rejected.reason()), rejected.message())
                    : onSuccess.apply(r)));
  }

  protected static String optionalText(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  protected static boolean isStringOrAbsent(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    return value == null || value.isNull() || value.isTextual();
  }
}
