package io.entwine.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VerifiedSecretsTest {
  private static final SecretHasher HASHER = new SecretHasher(1000);

  private final VerifiedSecrets secrets = new VerifiedSecrets(HASHER, Runnable::run, 100);
  private final String stored = HASHER.hash("token-1");

  @Test
  void isNotVerifiedBeforeVerification() {
    assertFalse(secrets.isVerified(stored, "token-1"));
  }

  @Test
  void isVerifiedAfterASuccessfulVerification() {
    assertTrue(join(secrets.verify(stored, "token-1")));

    assertTrue(secrets.isVerified(stored, "token-1"));
  }

  @Test
  void aRotatedCredentialIsNotMatchedByAnOldEntry() {
    join(secrets.verify(stored, "token-1"));
    String rotated = HASHER.hash("token-1");

    assertFalse(secrets.isVerified(rotated, "token-1"));
  }

  @Test
  void anotherSecretForTheSameHashIsNotVerified() {
    join(secrets.verify(stored, "token-1"));

    assertFalse(secrets.isVerified(stored, "token-2"));
  }

  @Test
  void neverVerifiedAfterAFailedVerification() {
    assertFalse(join(secrets.verify(stored, "wrong")));
    assertFalse(join(secrets.verify(stored, "wrong")));

    assertFalse(secrets.isVerified(stored, "wrong"));
    assertFalse(secrets.isVerified(stored, "token-1"));
  }

  @Test
  void runsTheSlowHashOnTheGivenExecutor() {
    List<Runnable> queued = new ArrayList<>();
    Executor deferred = queued::add;
    VerifiedSecrets deferredSecrets = new VerifiedSecrets(HASHER, deferred, 100);

    CompletionStage<Boolean> result = deferredSecrets.verify(stored, "token-1");

    assertEquals(1, queued.size());
    assertFalse(result.toCompletableFuture().isDone());
    queued.get(0).run();
    assertTrue(join(result));
    assertTrue(deferredSecrets.isVerified(stored, "token-1"));
  }

  @Test
  void aPairVerifiedBeforeIsNotHashedAgain() {
    List<Runnable> queued = new ArrayList<>();
    VerifiedSecrets deferredSecrets = new VerifiedSecrets(HASHER, queued::add, 100);
    CompletionStage<Boolean> first = deferredSecrets.verify(stored, "token-1");
    CompletionStage<Boolean> queuedBehind = deferredSecrets.verify(stored, "token-1");
    queued.forEach(Runnable::run);

    CompletionStage<Boolean> later = deferredSecrets.verify(stored, "token-1");

    assertTrue(join(first));
    assertTrue(join(queuedBehind));
    assertTrue(later.toCompletableFuture().isDone(), "answered without the executor");
    assertTrue(join(later));
    assertEquals(1, queued.size(), "the second check waited for the first one's hash");
  }

  @Test
  void anEmptySecretIsRefusedWithoutASlowHash() {
    List<Runnable> queued = new ArrayList<>();
    VerifiedSecrets deferredSecrets = new VerifiedSecrets(HASHER, queued::add, 100);

    CompletionStage<Boolean> result = deferredSecrets.verify(stored, "");

    assertTrue(result.toCompletableFuture().isDone(), "answered without the executor");
    assertFalse(join(result));
    assertEquals(0, queued.size());
  }

  @Test
  void aRepeatedWrongSecretIsHashedOnce() {
    AtomicInteger hashes = new AtomicInteger();
    VerifiedSecrets counted =
        new VerifiedSecrets(
            HASHER,
            task -> {
              hashes.incrementAndGet();
              task.run();
            },
            100);

    for (int i = 0; i < 5; i++) {
      assertFalse(join(counted.verify(stored, "wrong-token")));
    }

    assertEquals(1, hashes.get());
    assertTrue(join(counted.verify(stored, "token-1")), "a failure does not hide the right one");
    assertFalse(join(counted.verify(HASHER.hash("wrong-token"), "wrong-token-2")));
    assertEquals(3, hashes.get());
  }

  @Test
  void identicalWrongSecretsInFlightShareOneHash() {
    List<Runnable> queued = new ArrayList<>();
    VerifiedSecrets deferredSecrets = new VerifiedSecrets(HASHER, queued::add, 100);
    List<CompletionStage<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      results.add(deferredSecrets.verify(stored, "wrong-token"));
    }
    queued.forEach(Runnable::run);

    assertEquals(1, queued.size());
    results.forEach(result -> assertFalse(join(result)));
  }

  @Test
  void aFullQueueRefusesAtOnceAndCountsOnlyHashesRun() {
    List<Runnable> queued = new ArrayList<>();
    VerifiedSecrets bounded = new VerifiedSecrets(HASHER, queued::add, 100, 100, 2);
    CompletionStage<Boolean> first = bounded.verify(stored, "wrong-1");
    CompletionStage<Boolean> second = bounded.verify(stored, "wrong-2");

    CompletableFuture<Boolean> third = bounded.verify(stored, "wrong-3").toCompletableFuture();

    assertTrue(third.isCompletedExceptionally(), "refused without waiting");
    CompletionException refused = assertThrows(CompletionException.class, third::join);
    assertInstanceOf(VerifiedSecrets.Busy.class, refused.getCause());
    assertEquals(2, queued.size());
    queued.forEach(Runnable::run);
    assertFalse(join(first));
    assertFalse(join(second));
    assertEquals(2, bounded.slowHashes());
    CompletionStage<Boolean> later = bounded.verify(stored, "token-1");
    assertEquals(3, queued.size(), "room again once the queue drained");
    queued.get(2).run();
    assertTrue(join(later));
  }

  @Test
  void newSecretsShareTheBoundOfSlowHashes() {
    List<Runnable> queued = new ArrayList<>();
    VerifiedSecrets bounded = new VerifiedSecrets(HASHER, queued::add, 100, 100, 2);
    CompletionStage<String> first = bounded.hash("new-1");
    CompletionStage<Boolean> second = bounded.verify(stored, "wrong-2");

    CompletableFuture<String> third = bounded.hash("new-3").toCompletableFuture();

    assertTrue(third.isCompletedExceptionally(), "refused without waiting");
    CompletionException refused = assertThrows(CompletionException.class, third::join);
    assertInstanceOf(VerifiedSecrets.Busy.class, refused.getCause());
    queued.forEach(Runnable::run);
    assertTrue(bounded.isVerified(first.toCompletableFuture().join(), "new-1"));
    assertFalse(join(second));
    CompletionStage<String> later = bounded.hash("new-4");
    assertEquals(3, queued.size(), "room again once the queue drained");
    queued.get(2).run();
    assertTrue(bounded.isVerified(later.toCompletableFuture().join(), "new-4"));
  }

  @Test
  void exposesItsHasher() {
    assertTrue(secrets.hasher().verify(stored, "token-1"));
  }

  private static boolean join(CompletionStage<Boolean> stage) {
    return stage.toCompletableFuture().join();
  }
}
