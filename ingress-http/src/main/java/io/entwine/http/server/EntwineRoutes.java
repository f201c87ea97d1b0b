package io.entwine.http.server;

import static io.entwine.http.common.ApiResponses.error;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.OverloadedException;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import io.entwine.credentials.VerifiedSecrets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole HTTP API, with one error policy: client mistakes get a precise 4xx, an overloaded or
 * unavailable journal a 503, and every error body is IBM-style JSON.
 */
public final class EntwineRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(EntwineRoutes.class);

  private final Route[] routes;

  public EntwineRoutes(Route... routes) {
    this.routes = routes.clone();
  }

  public Route route() {
    // Built once: the Java DSL calls these suppliers for every request.
    Route all = routes.length == 1 ? routes[0] : concat(routes[0], tail());
    RejectionHandler rejections = rejectionHandler();
    return handleExceptions(
        exceptionHandler(),
        () -> handleRejections(rejections, () -> refusingUnparseableContentType(all)));
  }

  /**
   * pekko-http keeps a Content-Type it cannot parse as a raw header and gives the body none, which
   * the event routes would then take for application/octet-stream; such a request gets 415.
   */
  private Route refusingUnparseableContentType(Route inner) {
    return extractRequest(
        request -> {
          for (HttpHeader header : request.getHeaders()) {
            if (header instanceof RawHeader && header.is("content-type")) {
              return complete(
                  error(
                      StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                      "The Content-Type '" + header.value() + "' cannot be parsed"));
            }
          }
          return inner;
        });
  }

  private Route[] tail() {
    Route[] tail = new Route[routes.length - 1];
    System.arraycopy(routes, 1, tail, 0, tail.length);
    return tail;
  }

  private static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(CompletionException.class, e -> completeFailure(e.getCause()))
        .matchAny(EntwineRoutes::completeFailure)
        .build();
  }

  private static Route completeFailure(Throwable failure) {
    return new AllDirectives() {}.complete(responseFor(failure));
  }

  public static HttpResponse responseFor(Throwable failure) {
    // Scala futures box an Error (e.g. a LinkageError) in an ExecutionException.
    if ((failure instanceof CompletionException || failure instanceof ExecutionException)
        && failure.getCause() != null) {
      return responseFor(failure.getCause());
    }
    if (failure instanceof EntityStreamSizeException size) {
      return error(
          StatusCodes.PAYLOAD_TOO_LARGE,
          "The body is larger than the limit of " + size.limit() + " bytes");
    }
    if (failure instanceof LinkageError missing) {
      log.error(
          "Cannot handle a request: {}; the node's classpath is incomplete (reinstall it)",
          missing.toString());
      return error(StatusCodes.SERVICE_UNAVAILABLE, "The node cannot serve this request");
    }
    if (failure instanceof VerifiedSecrets.Busy busy) {
      return error(StatusCodes.SERVICE_UNAVAILABLE, busy.getMessage() + "; retry later")
          .addHeader(RetryAfter.create(1L));
    }
    if (failure instanceof AskTimeoutException
        || failure instanceof TimeoutException
        || isStorageUnavailable(failure)) {
      log.warn("No answer in time: {}", failure.getMessage());
      return error(
          StatusCodes.SERVICE_UNAVAILABLE, "Storage is unavailable or overloaded; retry later");
    }
    log.error("Unexpected failure while handling a request", failure);
    return error(StatusCodes.INTERNAL_SERVER_ERROR, "Internal error");
  }

  /** Cassandra down, overloaded or unreachable: worth a retry, never a 500. */
  private static boolean isStorageUnavailable(Throwable failure) {
    return failure instanceof AllNodesFailedException
        || failure instanceof DriverTimeoutException
        || failure instanceof QueryConsistencyException
        || failure instanceof UnavailableException
        || failure instanceof OverloadedException;
  }

  /** pekko-http's own rejection answers, with their status codes, as JSON error bodies. */
  private static RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(EntwineRoutes::asJsonError);
  }

  private static HttpResponse asJsonError(HttpResponse response) {
    if (response.entity() instanceof HttpEntity.Strict strict
        && !strict.getContentType().mediaType().toString().equals("application/json")) {
      String message = strict.getData().utf8String();
      HttpResponse json =
          error(response.status(), message.isBlank() ? response.status().reason() : message);
      return json.addHeaders(response.getHeaders());
    }
    return response;
  }
}
