package io.entwine.registry.view;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.pekko.Done;

/**
 * The organizations list in memory, ordered by id like the Cassandra table. The route tests of
 * ingress-http seed it directly (test-jar).
 */
public final class InMemoryOrganizationRepository implements OrganizationRepository {

  private final ConcurrentSkipListMap<String, ListedOrganization> rows =
      new ConcurrentSkipListMap<>();

  @Override
  public CompletionStage<Done> add(ListedOrganization organization) {
    rows.put(organization.id(), organization);
    return CompletableFuture.completedFuture(Done.done());
  }

  @Override
  public CompletionStage<List<ListedOrganization>> organizationsAfter(String afterId, int limit) {
    var following = afterId == null ? rows : rows.tailMap(afterId, false);
    return CompletableFuture.completedFuture(following.values().stream().limit(limit).toList());
  }

  @Override
  public CompletionStage<Long> count() {
    return CompletableFuture.completedFuture((long) rows.size());
  }
}
