package io.entwine.historian;

import io.entwine.ingress.OrganizationPolicies;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the historian's writer learns each organization's retention (ADR 0065): from the
 * organization's settings through the node's settings cache ({@link OrganizationPolicies}), so an
 * operator's change reaches the writers on every node within {@code
 * entwine.organizations.settings-cache-ttl} and a batch costs no ask while the cache is warm.
 */
@FunctionalInterface
public interface HistorianRetention {

  /** Keeps every organization's history for ever. */
  HistorianRetention UNLIMITED =
      org -> CompletableFuture.completedFuture(Reply.HistoryRetention.UNLIMITED);

  /** The organization's retention; unlimited for an organization that does not exist. */
  CompletionStage<Reply.HistoryRetention> retention(String org);

  /**
   * Fails when the organization's entity gives no answer, so that the batch is retried rather than
   * written without the TTLs its organization asked for.
   */
  static HistorianRetention from(OrganizationPolicies policies) {
    return org -> policies.settings(org).thenApply(reply -> retentionIn(org, reply));
  }

  /** The retention in an answer to {@code GetSettings}: unlimited for an unknown organization. */
  static Reply.HistoryRetention retentionIn(String org, Reply reply) {
    if (reply instanceof Reply.OrganizationSettings settings) {
      return settings.retention();
    }
    if (reply instanceof Reply.Rejected rejected && rejected.reason() == Rejection.NOT_FOUND) {
      return Reply.HistoryRetention.UNLIMITED;
    }
    throw new IllegalStateException(
        "The retention of organization '" + org + "' is not known: " + reply);
  }

  /** The TTLs of the rows of {@code orgs}, once each organization's retention is known. */
  default CompletionStage<RowTtls> ttls(Set<String> orgs) {
    List<String> ordered = List.copyOf(orgs);
    List<CompletableFuture<Reply.HistoryRetention>> lookups =
        ordered.stream().map(org -> retention(org).toCompletableFuture()).toList();
    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new))
        .thenApply(
            all -> {
              Map<String, Reply.HistoryRetention> byOrg = new HashMap<>();
              for (int i = 0; i < ordered.size(); i++) {
                byOrg.put(ordered.get(i), lookups.get(i).join());
              }
              return new RowTtls(byOrg);
            });
  }
}
