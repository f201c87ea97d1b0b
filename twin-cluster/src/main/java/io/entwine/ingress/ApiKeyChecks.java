package io.entwine.ingress;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The API-key checks that passed on this node, so that an application's requests do not each ask
 * the organization's entity, which lives on one node of the cluster: while that node is lost and
 * the entity moves (ADR 0016), applications that were active keep working.
 *
 * <p>A pass is trusted without asking for {@code fresh}; a request after that is answered from the
 * pass while the organization is asked again in the background, so a key revoked on another node
 * stops working within {@code fresh} plus one request. A pass whose re-check cannot reach the
 * organization is kept until {@code grace} after the last check that did. Only passes are kept, as
 * a salted digest of the token: a wrong token is always checked by the organization.
 */
public final class ApiKeyChecks {

  /** Checks a key's token, presented from {@code address} (null when unknown), with its org. */
  @FunctionalInterface
  public interface Check {
    CompletionStage<Reply> check(String org, String key, String token, String address);
  }

  private record OrgKey(String org, String key) {}

  private static final class Pass {
    final byte[] tokenDigest;
    final long checkedAtNanos;
    final AtomicBoolean rechecking = new AtomicBoolean();

    Pass(byte[] tokenDigest, long checkedAtNanos) {
      this.tokenDigest = tokenDigest;
      this.checkedAtNanos = checkedAtNanos;
    }
  }

  private static final CompletableFuture<Reply> PASSED =
      CompletableFuture.completedFuture(new Reply.Done());

  private final Check check;
  private final long freshNanos;
  private final Ticker ticker;
  private final Cache<OrgKey, Pass> passes;
  private final byte[] salt = new byte[16];

  public ApiKeyChecks(Check check, Duration fresh, Duration grace) {
    this(check, fresh, grace, Ticker.systemTicker());
  }

  ApiKeyChecks(Check check, Duration fresh, Duration grace, Ticker ticker) {
    this.check = check;
    this.freshNanos = fresh.toNanos();
    this.ticker = ticker;
    this.passes =
        Caffeine.newBuilder()
            .expireAfterWrite(grace.compareTo(fresh) > 0 ? grace : fresh)
            .maximumSize(100_000)
            .ticker(ticker)
            // no maintenance on the common pool, which starts a thread per task on 2 cores
            .executor(Runnable::run)
            .build();
    new SecureRandom().nextBytes(salt);
  }

  /** Done when {@code token} is the token of API key {@code key} of organization {@code org}. */
  public CompletionStage<Reply> authenticate(String org, String key, String token) {
    return authenticate(org, key, token, null);
  }

  /** As {@link #authenticate(String, String, String)}, for a client at {@code address}. */
  public CompletionStage<Reply> authenticate(String org, String key, String token, String address) {
    OrgKey id = new OrgKey(org, key);
    byte[] digest = digest(token);
    Pass pass = passes.getIfPresent(id);
    if (pass != null && MessageDigest.isEqual(pass.tokenDigest, digest)) {
      if (ticker.read() - pass.checkedAtNanos >= freshNanos
          && pass.rechecking.compareAndSet(false, true)) {
        check
            .check(org, key, token, address)
            .whenComplete(
                (reply, failure) -> {
                  if (failure != null || unreachable(reply)) {
                    pass.rechecking.set(false);
                  } else {
                    remember(id, digest, reply);
                  }
                });
      }
      return PASSED;
    }
    return check
        .check(org, key, token, address)
        .thenApply(
            reply -> {
              remember(id, digest, reply);
              return reply;
            });
  }

  /** Forgets the key's pass at once (it was revoked through this node). */
  public void forget(String org, String key) {
    passes.invalidate(new OrgKey(org, key));
  }

  /** An answer that says nothing about the token: the organization, or a slow hash, was busy. */
  private static boolean unreachable(Reply reply) {
    return reply instanceof Reply.Rejected rejected
        && (rejected.reason() == Rejection.UNAVAILABLE
            || rejected.reason() == Rejection.TIMED_OUT
            || rejected.reason() == Rejection.LIMIT_EXCEEDED);
  }

  private void remember(OrgKey id, byte[] digest, Reply reply) {
    if (unreachable(reply)) {
      return;
    }
    if (reply instanceof Reply.Done) {
      passes.put(id, new Pass(digest, ticker.read()));
    } else {
      passes
          .asMap()
          .computeIfPresent(
              id, (k, old) -> MessageDigest.isEqual(old.tokenDigest, digest) ? null : old);
    }
  }

  private byte[] digest(String token) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(salt);
      return sha256.digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
