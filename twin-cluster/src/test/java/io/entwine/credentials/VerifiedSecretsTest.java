package io.entwine.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
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
    assertEquals(2, queued.size());
  }

  @Test
  void exposesItsHasher() {
    assertTrue(secrets.hasher().verify(stored, "token-1"));
  }

  private static boolean join(CompletionStage<Boolean> stage) {
    return stage.toCompletableFuture().join();
  }
}
