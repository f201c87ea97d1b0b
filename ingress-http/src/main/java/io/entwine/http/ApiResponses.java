package io.entwine.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;

/**
 * Turns entity replies and errors into HTTP responses, the same way for every route. Error bodies
 * follow IBM's shape: {@code {"message": "...", "rc": 404}}.
 */
public final class ApiResponses {
  private static final String REALM = "entwine";

  private ApiResponses() {}

  public record ErrorBody(String message, int rc) {}

  public static HttpResponse error(StatusCode status, String message) {
    return json(status, new ErrorBody(message, status.intValue()));
  }

  public static HttpResponse json(StatusCode status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(ContentTypes.APPLICATION_JSON, Json.MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Response bodies are plain records", e);
    }
  }

  public static StatusCode statusOf(Rejection rejection) {
    return switch (rejection) {
      case NOT_FOUND -> StatusCodes.NOT_FOUND;
      case ALREADY_EXISTS -> StatusCodes.CONFLICT;
      case UNAUTHORIZED -> StatusCodes.UNAUTHORIZED;
      case FORBIDDEN, DISABLED -> StatusCodes.FORBIDDEN;
      case INVALID -> StatusCodes.BAD_REQUEST;
      case LIMIT_EXCEEDED -> StatusCodes.TOO_MANY_REQUESTS;
      case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
      case TIMED_OUT -> StatusCodes.GATEWAY_TIMEOUT;
    };
  }

  /** A 401 with the challenge RFC 9110 requires. */
  public static HttpResponse unauthorized(String scheme, String message) {
    return error(StatusCodes.UNAUTHORIZED, message)
        .addHeader(WWWAuthenticate.create(HttpChallenge.create(scheme, REALM)));
  }

  /** A rejection becomes its error response; anything else is handed to {@code onSuccess}. */
  public static HttpResponse fromReply(Reply reply, Function<Reply, HttpResponse> onSuccess) {
    if (reply instanceof Reply.Rejected rejected) {
      return rejected.reason() == Rejection.UNAUTHORIZED
          ? unauthorized("Basic", rejected.message())
          : error(statusOf(rejected.reason()), rejected.message());
    }
    if (reply instanceof Reply.NeedsVerification) {
      // The credential changed while it was being verified: the presented secret is stale.
      return unauthorized("Basic", Reply.Rejected.UNAUTHORIZED_MESSAGE);
    }
    return onSuccess.apply(reply);
  }
}
