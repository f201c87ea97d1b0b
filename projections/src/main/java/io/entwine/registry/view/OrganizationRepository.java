package io.entwine.registry.view;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The organizations list: which organizations exist, for the operator. Written only by {@link
 * OrganizationProjectionHandler}; a write sets values, so repeating it leaves the same row.
 */
public interface OrganizationRepository {

  CompletionStage<Done> add(ListedOrganization organization);

  /**
   * At most {@code limit} organizations ordered by id, those after {@code afterId}, or from the
   * first when it is null.
   */
  CompletionStage<List<ListedOrganization>> organizationsAfter(String afterId, int limit);

  /** How many organizations there are. */
  CompletionStage<Long> count();
}
