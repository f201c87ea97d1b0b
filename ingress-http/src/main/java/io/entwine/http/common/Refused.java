package io.entwine.http.common;

import io.entwine.concurrent.Failures;
import io.entwine.http.server.EntwineRoutes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * A step of a protocol edge's pipeline (parse, authenticate, admit, record) that ends the request
 * with its protocol's answer; carried to the end of the pipeline, where {@link #recover} answers
 * it.
 */
public final class Refused extends RuntimeException {
  private final transient HttpResponse response;

  public Refused(HttpResponse response) {
    super(null, null, false, false);
    this.response = response;
  }

  public HttpResponse response() {
    return response;
  }

  /** A stage that ends the pipeline with {@code response}. */
  public static <T> CompletionStage<T> with(HttpResponse response) {
    return CompletableFuture.failedFuture(new Refused(response));
  }

  /** The pipeline's response, a refused step's, or the shared error policy's for a failure. */
  public static CompletionStage<HttpResponse> recover(CompletionStage<HttpResponse> pipeline) {
    return recover(pipeline, EntwineRoutes::responseFor);
  }

  /** The pipeline's response, a refused step's, or {@code otherwise} of any other failure. */
  public static CompletionStage<HttpResponse> recover(
      CompletionStage<HttpResponse> pipeline, Function<Throwable, HttpResponse> otherwise) {
    return pipeline.exceptionally(
        failure -> {
          Throwable cause = Failures.cause(failure);
          return cause instanceof Refused refused ? refused.response : otherwise.apply(cause);
        });
  }
}
