package io.entwine.integration;

import io.entwine.claims.ClaimReplies;
import io.entwine.claims.ClaimTable;
import java.util.function.Function;

/**
 * An organization's integrations, id → routing key: the API addresses integrations by id, senders
 * by routing key. One table per organization, so listing never crosses organizations; a lookup
 * answers {@link IntegrationReply.Directory}. An id is claimed with its routing key before the
 * integration is created and released after it is deleted; an id whose integration does not exist
 * (a creation that failed half-way) is skipped by readers.
 */
public final class IntegrationDirectory {
  public static final ClaimTable<String, IntegrationReply> TABLE =
      new ClaimTable<>(
          "IntegrationDirectory",
          Function.identity(),
          ClaimTable.NO_LIMIT,
          ClaimReplies.unlimited(
              new IntegrationReply.Done(),
              (org, routingKeys) -> new IntegrationReply.Directory(routingKeys)));

  private IntegrationDirectory() {}
}
