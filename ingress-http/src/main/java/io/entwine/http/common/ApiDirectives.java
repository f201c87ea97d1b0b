package io.entwine.http.common;

import static io.entwine.http.common.ApiResponses.error;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.concurrent.Failures;
import io.entwine.http.server.EntwineRoutes;
import io.entwine.identity.Ids;
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

/** Directives every API route shares: JSON request bodies and completing with an entity reply. */
public abstract class ApiDirectives extends AllDirectives {
  private static final Duration BODY_READ_TIMEOUT = Duration.ofSeconds(10);

  /** {@code api/v0002/device/types/{type}}: IBM's v0002 address of a device type. */
  protected static final PathMatcher1<String> V0002_DEVICE_TYPE =
      segment("api").slash("v0002").slash("device").slash("types").slash(segment());

  /** {@code api/v0002/device/types/{type}/devices/{id}}: IBM's v0002 address of a device. */
  protected static final PathMatcher2<String, String> V0002_DEVICE =
      V0002_DEVICE_TYPE.slash("devices").slash(segment());

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

  /** {@code inner} for a valid device type and id (IBM's rules); 400 naming the rule otherwise. */
  protected Route validDevice(String type, String id, Supplier<Route> inner) {
    return Ids.checkDevicePart("device type", type)
        .or(() -> Ids.checkDevicePart("device id", id))
        .map(message -> complete(error(StatusCodes.BAD_REQUEST, message)))
        .orElseGet(inner);
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
