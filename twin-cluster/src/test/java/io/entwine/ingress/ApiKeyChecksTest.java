package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ApiKeyChecksTest {

  private static final Duration FRESH = Duration.ofSeconds(5);
  private static final Duration GRACE = Duration.ofSeconds(60);
  private static final String ORG = "acme";
  private static final String KEY = "a-acme-key";
  private static final String TOKEN = "right-token";

  /** The organization as the checks see it: answers from a script, counts the questions. */
  private static final class Organization implements ApiKeyChecks.Check {
    final List<String> asked = new ArrayList<>();
    CompletableFuture<Reply> answer = CompletableFuture.completedFuture(new Reply.Done());
    boolean revoked;

    @Override
    public CompletionStage<Reply> check(String org, String key, String token, String address) {
      asked.add(token);
      if (revoked || !TOKEN.equals(token)) {
        return CompletableFuture.completedFuture(Reply.Rejected.unauthorized());
      }
      return answer;
    }
  }

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final Organization organization = new Organization();
  private final ApiKeyChecks checks = new ApiKeyChecks(organization, FRESH, GRACE, nanos::get);

  @Test
  void aPassIsTrustedWithoutAskingWhileFresh() {
    assertPasses(TOKEN);
    later(Duration.ofSeconds(4));
    assertPasses(TOKEN);
    assertPasses(TOKEN);

    assertEquals(1, organization.asked.size(), "asked once, at the first check");
  }

  @Test
  void aWrongTokenIsAlwaysAskedAndNeverPasses() {
    assertPasses(TOKEN);

    assertRejected("wrong-token");
    assertRejected("wrong-token");
    assertEquals(List.of(TOKEN, "wrong-token", "wrong-token"), organization.asked);
    assertPasses(TOKEN);
    assertEquals(3, organization.asked.size(), "the right token's pass survives wrong attempts");
  }

  @Test
  void aKeyRevokedElsewhereStopsWorkingAfterTheNextUseOnceThePassIsNoLongerFresh() {
    assertPasses(TOKEN);
    organization.revoked = true;

    assertPasses(TOKEN); // still fresh: not asked
    later(FRESH);
    assertPasses(TOKEN); // answered from the pass, re-checked meanwhile
    assertRejected(TOKEN);
    assertEquals(3, organization.asked.size());
  }

  @Test
  void anUnreachableOrganizationLeavesAPassUsableUntilTheGraceEnds() {
    assertPasses(TOKEN);
    organization.answer = CompletableFuture.failedFuture(new TimeoutException("moving"));

    later(Duration.ofSeconds(30));
    assertPasses(TOKEN);
    later(Duration.ofSeconds(29));
    assertPasses(TOKEN);
    later(Duration.ofSeconds(2)); // 61 s after the last check that reached the organization
    CompletableFuture<Reply> afterGrace =
        checks.authenticate(ORG, KEY, TOKEN).toCompletableFuture();

    assertTrue(afterGrace.isCompletedExceptionally(), "asked, and the failure is the answer");
  }

  @Test
  void anUnavailableAnswerDoesNotEndAPass() {
    assertPasses(TOKEN);
    organization.answer =
        CompletableFuture.completedFuture(new Reply.Rejected(Rejection.UNAVAILABLE, "busy"));

    later(FRESH);
    assertPasses(TOKEN);
    later(Duration.ofSeconds(1));
    assertPasses(TOKEN);
  }

  @Test
  void aRecheckThatIsStillRunningIsNotStartedAgain() {
    assertPasses(TOKEN);
    CompletableFuture<Reply> pending = new CompletableFuture<>();
    organization.answer = pending;
    later(FRESH);

    assertPasses(TOKEN);
    assertPasses(TOKEN);
    assertEquals(2, organization.asked.size(), "one re-check in flight at a time");

    pending.complete(new Reply.Done());
    later(Duration.ofSeconds(4));
    assertPasses(TOKEN);
    assertEquals(2, organization.asked.size(), "the re-check made the pass fresh again");
  }

  @Test
  void aForgottenKeyIsAskedAgain() {
    assertPasses(TOKEN);
    organization.revoked = true;

    checks.forget(ORG, KEY);

    assertRejected(TOKEN);
  }

  @Test
  void passesAreKeptPerOrganizationAndKey() {
    assertPasses(TOKEN);

    assertEquals(
        new Reply.Done(), checks.authenticate("other", KEY, TOKEN).toCompletableFuture().join());
    assertEquals(
        new Reply.Done(),
        checks.authenticate(ORG, "a-acme-other", TOKEN).toCompletableFuture().join());
    assertEquals(3, organization.asked.size(), "each organization and key asked for itself");
  }

  private void assertPasses(String token) {
    assertEquals(
        new Reply.Done(), checks.authenticate(ORG, KEY, token).toCompletableFuture().join());
  }

  private void assertRejected(String token) {
    Reply reply = checks.authenticate(ORG, KEY, token).toCompletableFuture().join();
    assertEquals(Reply.Rejected.unauthorized(), reply);
  }

  private void later(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }
}
