package io.entwine.credentials;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Remembers which (stored hash, presented secret) pairs were verified on this node, so the
 * per-message path costs one SHA-256 instead of a slow hash. The key is a digest of both, so the
 * cache holds no secret in the clear and a rotated credential (a new stored hash) is never matched
 * by an old entry.
 *
 * <p>Failures are bounded too (docs/adr/0043): an empty secret is refused without hashing, a pair
 * that failed on this node is refused from memory (a mismatch of the same pair cannot change), a
 * pair already being hashed waits for that hash instead of queueing another, and at most {@code
 * maxPending} slow hashes wait or run at once; beyond that {@link #verify} fails at once with
 * {@link Busy} instead of queueing work that would outlast the caller's timeout.
 */
public final class VerifiedSecrets {
  /** The slow-hash queue is full; the caller should retry shortly. */
  public static final class Busy extends RuntimeException {
    private Busy() {
      super("Too many credential checks in progress on this node", null, false, false);
    }
  }

  private static final Busy BUSY = new Busy();
  private static final CompletableFuture<Boolean> TRUE = CompletableFuture.completedFuture(true);
  private static final CompletableFuture<Boolean> FALSE = CompletableFuture.completedFuture(false);

  private final SecretHasher hasher;
  private final Executor slowHashExecutor;
  private final Cache<String, Boolean> verified;
  private final Cache<String, Boolean> failed;
  private final ConcurrentHashMap<String, CompletableFuture<Boolean>> hashing =
      new ConcurrentHashMap<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final int maxPending;
  private final LongAdder slowHashes = new LongAdder();

  public VerifiedSecrets(SecretHasher hasher, Executor slowHashExecutor, long maximumSize) {
    this(hasher, slowHashExecutor, maximumSize, maximumSize, Integer.MAX_VALUE);
  }

  public VerifiedSecrets(
      SecretHasher hasher,
      Executor slowHashExecutor,
      long maximumSize,
      long failedMaximumSize,
      int maxPending) {
    if (maxPending < 1) {
      throw new IllegalArgumentException("maxPending must be positive");
    }
    this.hasher = hasher;
    this.slowHashExecutor = slowHashExecutor;
    this.verified = Caffeine.newBuilder().maximumSize(maximumSize).build();
    this.failed =
        Caffeine.newBuilder().maximumSize(failedMaximumSize).executor(Runnable::run).build();
    this.maxPending = maxPending;
  }

  public SecretHasher hasher() {
    return hasher;
  }

  /** Slow hashes this node ran to verify a presented secret, since it started. */
  public long slowHashes() {
    return slowHashes.sum();
  }

  /**
   * Hashes a new secret off the caller's thread. The pair is remembered as verified: whoever just
   * created the secret is about to use it. Counts against {@code maxPending} like {@link #verify}:
   * a burst of registrations queued hashes for longer than their callers waited (a 503 after 20 s
   * for each), so beyond the bound it fails at once with {@link Busy}.
   */
  public CompletionStage<String> hash(String secret) {
    if (!reserveSlowHash()) {
      return CompletableFuture.failedFuture(BUSY);
    }
    CompletableFuture<String> result = new CompletableFuture<>();
    try {
      slowHashExecutor.execute(
          () -> {
            try {
              String storedHash = hasher.hash(secret);
              verified.put(key(storedHash, secret), Boolean.TRUE);
              result.complete(storedHash);
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            } finally {
              pending.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException e) {
      pending.decrementAndGet();
      return CompletableFuture.failedFuture(BUSY);
    }
    return result;
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

  /** Cheap: whether {@link #verify} would answer this pair without a slow hash. */
  public boolean isKnown(String storedHash, String secret) {
    if (secret == null || secret.isEmpty()) {
      return true;
    }
    String key = key(storedHash, secret);
    return verified.getIfPresent(key) != null || failed.getIfPresent(key) != null;
  }

  /**
   * Runs the slow hash off the caller's thread and remembers the outcome. A pair this node verified
   * or refused before costs nothing, also when the check is still running for another request of
   * the same pair: after a twin moves to another node (failover, rebalance) every request buffered
   * for it asks for verification at once, and a client repeating a wrong token asks again and
   * again. Fails with {@link Busy} when {@code maxPending} slow hashes are waiting or running.
   */
  public CompletionStage<Boolean> verify(String storedHash, String secret) {
    if (secret == null || secret.isEmpty()) {
      // No stored hash is of an empty secret: registration refuses empty tokens and secrets.
      return FALSE;
    }
    String key = key(storedHash, secret);
    if (verified.getIfPresent(key) != null) {
      return TRUE;
    }
    if (failed.getIfPresent(key) != null) {
      return FALSE;
    }
    CompletableFuture<Boolean> running = hashing.get(key);
    if (running != null) {
      return running.copy();
    }
    if (!reserveSlowHash()) {
      return CompletableFuture.failedFuture(BUSY);
    }
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    running = hashing.putIfAbsent(key, mine);
    if (running != null) {
      pending.decrementAndGet();
      return running.copy();
    }
    try {
      slowHashExecutor.execute(() -> slowVerify(key, storedHash, secret, mine));
    } catch (RejectedExecutionException e) {
      hashing.remove(key, mine);
      pending.decrementAndGet();
      return CompletableFuture.failedFuture(BUSY);
    }
    return mine.copy();
  }

  private void slowVerify(
      String key, String storedHash, String secret, CompletableFuture<Boolean> result) {
    try {
      slowHashes.increment();
      boolean ok = hasher.verify(storedHash, secret);
      (ok ? verified : failed).put(key, Boolean.TRUE);
      result.complete(ok);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    } finally {
      hashing.remove(key, result);
      pending.decrementAndGet();
    }
  }

  /** Takes one of the {@code maxPending} slow-hash slots, or false when all are taken. */
  private boolean reserveSlowHash() {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return false;
    }
    return true;
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
