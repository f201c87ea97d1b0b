package io.entwine.http.ibm;

import static io.entwine.http.common.ApiResponses.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Json;
import io.entwine.identity.Ids;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** What the routes of IBM's platform API v0002 share: checked bodies and ids. */
abstract class PlatformDirectives extends ApiDirectives {

  /** {@code inner} of the parsed body, or 400 naming the rule it breaks (nothing is changed). */
  protected <T> Route parsed(Supplier<T> parse, Function<T, Route> inner) {
    T value;
    try {
      value = parse.get();
    } catch (PlatformBodies.InvalidBody e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return inner.apply(value);
  }

  /** {@code inner} of the JSON object body read by {@code parse}, or 400 as {@link #parsed}. */
  protected <T> Route parsedBody(Function<ObjectNode, T> parse, Function<T, Route> inner) {
    return jsonObject(false, body -> parsed(() -> parse.apply(body), inner));
  }

  /** {@code inner}, or 400 when {@code value} is not a valid type or device id. */
  protected Route validId(String what, String value, Supplier<Route> inner) {
    return Ids.checkDevicePart(what, value)
        .map(message -> complete(error(StatusCodes.BAD_REQUEST, message)))
        .orElseGet(inner);
  }

  /** The body as a non-empty JSON array of at most {@code maxBytes}. */
  protected Route jsonArray(int maxBytes, Function<List<JsonNode>, Route> inner) {
    return withSizeLimit(
        maxBytes,
        () ->
            strictEntity(
                entity -> {
                  JsonNode body;
                  try {
                    body = Json.MAPPER.readTree(entity.getData().toArray());
                  } catch (JsonProcessingException e) {
                    return complete(
                        error(StatusCodes.BAD_REQUEST, "Invalid JSON: " + e.getOriginalMessage()));
                  } catch (IOException e) {
                    return complete(
                        error(StatusCodes.BAD_REQUEST, "Invalid JSON: " + e.getMessage()));
                  }
                  if (body == null || !body.isArray() || body.isEmpty()) {
                    return complete(
                        error(StatusCodes.BAD_REQUEST, "The body must be a non-empty JSON array"));
                  }
                  List<JsonNode> entries = new ArrayList<>();
                  body.forEach(entries::add);
                  return inner.apply(entries);
                }));
  }
}
