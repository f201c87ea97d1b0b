package io.entwine.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class HistorianRetentionTest {
  private static final Reply.HistoryRetention DAY_AND_YEAR =
      new Reply.HistoryRetention(86_400, 365 * 86_400);

  @Test
  void readsTheRetentionFromTheOrganizationsSettings() {
    Reply settings = Reply.OrganizationSettings.DEFAULT.withRetention(DAY_AND_YEAR);

    assertEquals(DAY_AND_YEAR, HistorianRetention.retentionIn("acme", settings));
  }

  @Test
  void keepsTheHistoryOfAnOrganizationThatDoesNotExistForEver() {
    Reply notFound = new Reply.Rejected(Rejection.NOT_FOUND, "Organization 'x' does not exist");

    assertEquals(Reply.HistoryRetention.UNLIMITED, HistorianRetention.retentionIn("x", notFound));
  }

  @Test
  void failsOnAnyOtherAnswerSoThatTheBatchIsRetried() {
    Reply unavailable = new Reply.Rejected(Rejection.UNAVAILABLE, "try again");

    assertThrows(
        IllegalStateException.class, () -> HistorianRetention.retentionIn("acme", unavailable));
  }

  @Test
  void givesEachOrganizationItsTtlsAndBucketsTheLongerRetention() {
    HistorianRetention retention =
        org ->
            CompletableFuture.completedFuture(
                "acme".equals(org) ? DAY_AND_YEAR : Reply.HistoryRetention.UNLIMITED);

    RowTtls ttls = retention.ttls(Set.of("acme", "other")).toCompletableFuture().join();

    assertEquals(86_400, ttls.rawEvents("acme"));
    assertEquals(365 * 86_400, ttls.rollups("acme"));
    assertEquals(365 * 86_400, ttls.bucketLifetime("acme"));
    assertEquals(0, ttls.rawEvents("other"));
    assertEquals(0, ttls.bucketLifetime("other"));
    assertEquals(
        0,
        new RowTtls(Map.of("acme", new Reply.HistoryRetention(86_400, 0))).bucketLifetime("acme"),
        "roll-ups kept for ever keep their buckets for ever");
  }
}
