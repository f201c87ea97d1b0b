package io.entwine.mqtt;

import io.entwine.protocol.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * How a connection calls the twins and the cluster: a call that throws instead of failing its stage
 * becomes a failed stage, so every outcome arrives in one callback; answers are described for the
 * log and the close reason.
 */
final class TwinCalls {
  private TwinCalls() {}

  static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Persisted: an event recorded, a command queued. */
  static boolean isAccepted(Reply reply) {
    return reply instanceof Reply.Done || reply instanceof Reply.CommandAccepted;
  }

  static String describe(Reply reply) {
    if (reply instanceof Reply.Rejected rejected) {
      return rejected.reason() + ": " + rejected.message();
    }
    if (reply instanceof Reply.NeedsVerification) {
      return "the credentials changed";
    }
    return String.valueOf(reply);
  }

  static String describe(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
