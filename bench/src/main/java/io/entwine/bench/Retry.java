package io.entwine.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sends a request as a well-behaved client does under load: a {@code 503} or {@code 429} answer, or
 * a connection that fails, is tried again after an exponential backoff with full jitter (a random
 * wait up to {@code base × 2^(n−1)}, capped), at most {@link Policy#maxAttempts()} times in all; a
 * {@code Retry-After} of a few seconds is honoured. Other answers come back as they are.
 *
 * <p>Full jitter spreads the retries of many concurrent requests over the whole window, so a node
 * that shed load is not hit again by all of them at once (the "Exponential Backoff And Jitter"
 * analysis of the AWS Architecture Blog, 2015).
 */
final class Retry {
  /** How often and how long to wait; the waits are random, from a seeded source in tests. */
  record Policy(int maxAttempts, Duration base, Duration cap) {
    static final Policy DEFAULT = new Policy(8, Duration.ofMillis(200), Duration.ofSeconds(10));

    Policy {
      if (maxAttempts < 1 || base.isNegative() || cap.compareTo(base) < 0) {
        throw new IllegalArgumentException("attempts ≥ 1 and 0 ≤ base ≤ cap");
      }
    }

    /** The wait before attempt {@code failed + 1}, after {@code failed} attempts failed. */
    Duration delay(int failed, Random random) {
      long ceiling = base.toMillis() << Math.min(failed - 1, 30);
      return Duration.ofMillis(random.nextLong(Math.min(ceiling, cap.toMillis()) + 1));
    }
  }

  /** The final answer and how many attempts it took. */
  record Outcome(HttpResponse<String> response, int attempts) {
    boolean retried() {
      return attempts > 1;
    }
  }

  /** Told about each retry: the attempt that failed, its status (or -1) or failure, the wait. */
  interface Listener {
    void retrying(int failedAttempt, String reason, Duration wait);
  }

  private final HttpClient http;
  private final Policy policy;
  private final Random random;
  private final Listener listener;

  Retry(HttpClient http, Policy policy, Random random, Listener listener) {
    this.http = http;
    this.policy = policy;
    this.random = random;
    this.listener = listener;
  }

  static boolean retryable(int status) {
    return status == 503 || status == 429;
  }

  CompletableFuture<Outcome> send(HttpRequest request) {
    return attempt(request, 1);
  }

  private CompletableFuture<Outcome> attempt(HttpRequest request, int attempt) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle(
            (response, failure) -> {
              Throwable cause =
                  failure instanceof CompletionException ? failure.getCause() : failure;
              boolean again =
                  attempt < policy.maxAttempts()
                      && (cause == null
                          ? retryable(response.statusCode())
                          : cause instanceof IOException);
              if (!again) {
                return cause == null
                    ? CompletableFuture.completedFuture(new Outcome(response, attempt))
                    : CompletableFuture.<Outcome>failedFuture(cause);
              }
              Duration wait = policy.delay(attempt, random);
              if (cause == null) {
                wait = max(wait, retryAfter(response));
              }
              listener.retrying(
                  attempt,
                  cause == null ? "status " + response.statusCode() : cause.toString(),
                  wait);
              return CompletableFuture.supplyAsync(
                      () -> null,
                      CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS))
                  .thenCompose(ignored -> attempt(request, attempt + 1));
            })
        .thenCompose(Function.identity());
  }

  /** A Retry-After in seconds, at most the policy's cap; zero when absent or a date. */
  private Duration retryAfter(HttpResponse<String> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .filter(value -> value.strip().matches("\\d{1,6}"))
        .map(value -> Duration.ofSeconds(Long.parseLong(value.strip())))
        .map(wait -> wait.compareTo(policy.cap()) > 0 ? policy.cap() : wait)
        .orElse(Duration.ZERO);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
