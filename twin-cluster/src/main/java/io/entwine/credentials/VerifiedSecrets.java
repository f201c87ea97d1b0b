package io.entwine.credentials;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Remembers which (stored hash, presented secret) pairs were verified on this node, so the
 * per-message path costs one SHA-256 instead of a slow hash. The key is a digest of both, so the
 * cache holds no secret in the clear and a rotated credential (a new stored hash) is never matched
 * by an old entry.
 */
public final class VerifiedSecrets {
  private final SecretHasher hasher;
  private final Executor slowHashExecutor;
  private final Cache<String, Boolean> verified;

  public VerifiedSecrets(SecretHasher hasher, Executor slowHashExecutor, long maximumSize) {
    this.hasher = hasher;
    this.slowHashExecutor = slowHashExecutor;
    this.verified = Caffeine.newBuilder().maximumSize(maximumSize).build();
  }

  public SecretHasher hasher() {
    return hasher;
  }

  /**
   * Hashes a new secret off the caller's thread. The pair is remembered as verified: whoever just
   * created the secret is about to use it.
   */
  public CompletionStage<String> hash(String secret) {
    return CompletableFuture.supplyAsync(
        () -> {
          String storedHash = hasher.hash(secret);
          verified.put(key(storedHash, secret), Boolean.TRUE);
          return storedHash;
        },
        slowHashExecutor);
  }

  /**
   * Records a pair that a caller inside the cluster verified (possibly on another node) against
   * exactly this stored hash, so the entity's node does not repeat the slow hash.
   */
  public void rememberVerified(String storedHash, String secret) {
    verified.put(key(storedHash, secret), Boolean.TRUE);
  }

  /**
   * Whether the entity may accept {@code secret}: verified on this node before, or verified by a
   * caller against the current {@code storedHash} ({@code verifiedAgainst}, null when not).
   */
  public boolean accepts(String storedHash, String secret, String verifiedAgainst) {
    if (storedHash.equals(verifiedAgainst)) {
      rememberVerified(storedHash, secret);
      return true;
    }
    return isVerified(storedHash, secret);
  }

  /** Cheap: true only if this pair was verified before on this node. */
  public boolean isVerified(String storedHash, String secret) {
    return verified.getIfPresent(key(storedHash, secret)) != null;
  }

  /**
   * Runs the slow hash off the caller's thread and remembers a success. A pair this node verified
   * before costs nothing, also when the check was queued behind another of the same pair: after a
   * twin moves to another node (failover, rebalance) every request buffered for it asks for
   * verification at once, and repeating the slow hash for each would hold the CPU for seconds.
   */
  public CompletionStage<Boolean> verify(String storedHash, String secret) {
    String key = key(storedHash, secret);
    if (verified.getIfPresent(key) != null) {
      return CompletableFuture.completedFuture(true);
    }
    return CompletableFuture.supplyAsync(
        () -> {
          if (verified.getIfPresent(key) != null) {
            return true;
          }
          boolean ok = hasher.verify(storedHash, secret);
          if (ok) {
            verified.put(key, Boolean.TRUE);
          }
          return ok;
        },
        slowHashExecutor);
  }

  private static String key(String storedHash, String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(SecretHasher.utf8(storedHash));
      sha.update((byte) 0);
      return HexFormat.of().formatHex(sha.digest(SecretHasher.utf8(secret)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
