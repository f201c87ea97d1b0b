package io.entwine.concurrent;

import java.util.concurrent.CompletionException;

/** What failed a {@code CompletionStage}, whichever stage along the way wrapped it. */
public final class Failures {
  private Failures() {}

  /**
   * The failure behind {@code failure}: a stage that depends on a failed one fails with a {@link
   * CompletionException} around the original cause, and only sometimes (a direct {@code
   * failedFuture}) without one.
   */
  public static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }
}
