package io.entwine.http.server;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.DefaultParsingErrorHandler$;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests the HTTP parser cannot read at all. Pekko's default answers some of them with a
 * 5xx: 505 for any version it does not take (also for a mangled request line such as {@code GET /a
 * /b HTTP/1.1} or a bare CR), 501 for an unknown or malformed method ({@code G(ET}) and for a
 * transfer coding other than chunked. Each is the client's error, and a 5xx tells a client, a load
 * balancer and the node's operator that the server failed; so they become a 400 that keeps the
 * parser's precise message. Everything else (400, 413, 414, 431…) stays as Pekko answers it.
 *
 * <p>The transfer coding {@link RequestFraming} puts in place of an HTTP/1.0 request's
 * Transfer-Encoding reaches this handler as an unsupported one; its 400 says what was wrong.
 */
public final class ClientErrorsAsBadRequest extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    StatusCode answered = status.intValue() >= 500 ? StatusCodes.BadRequest() : status;
    ErrorInfo info =
        error.summary().contains(RequestFraming.MARKER)
            ? error.withSummary(RequestFraming.REFUSAL)
            : error;
    return DefaultParsingErrorHandler$.MODULE$.handle(answered, info, log, settings);
  }
}
