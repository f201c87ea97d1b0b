package io.entwine.http.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;

/**
 * Turns entity replies and errors into HTTP responses, the same way for every route. Error bodies
 * follow IBM's shape: {@code {"message": "...", "rc": 404}}.
 */
public final class ApiResponses {
  private static final String REALM = "entwine";
  private static final long RETRY_AFTER_SECONDS = 1;

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
      case TOO_LARGE -> StatusCodes.PAYLOAD_TOO_LARGE;
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

  /**
   * The error response for {@code rejected}. A bound that was reached (429, 503) says when to
   * retry: the bounds on failed authentications and on slow hashes (docs/adr/0043) refuse at once,
   * and a client that retries at once would only be refused again.
   */
  public static HttpResponse rejection(Reply.Rejected rejected) {
    if (rejected.reason() == Rejection.UNAUTHORIZED) {
      return unauthorized("Basic", rejected.message());
    }
    HttpResponse response = error(statusOf(rejected.reason()), rejected.message());
    return rejected.reason() == Rejection.LIMIT_EXCEEDED
            || rejected.reason() == Rejection.UNAVAILABLE
        ? response.addHeader(RetryAfter.create(RETRY_AFTER_SECONDS))
        : response;
  }

  /** A rejection becomes its error response; anything else is handed to {@code onSuccess}. */
  public static HttpResponse fromReply(Reply reply, Function<Reply, HttpResponse> onSuccess) {
    if (reply instanceof Reply.Rejected rejected) {
      return rejection(rejected);
    }
    if (reply instanceof Reply.NeedsVerification) {
      // The credential changed while it was being verified: the presented secret is stale.
      return unauthorized("Basic", Reply.Rejected.UNAUTHORIZED_MESSAGE);
    }
    return onSuccess.apply(reply);
  }
}
