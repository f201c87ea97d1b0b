package io.entwine.registry.view;

import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.cassandra.PreparedCql;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The organizations list in the table {@code registry_organizations} (schema: {@code
 * cql/registry.cql}): one partition, rows clustered by id, so a page is one slice of it.
 */
public final class CassandraOrganizationRepository implements OrganizationRepository {

  private static final String LISTING = "all";

  private final CassandraSession session;
  private final PreparedCql insert;
  private final PreparedCql selectAfter;
  private final PreparedCql count;

  public CassandraOrganizationRepository(CassandraSession session, String keyspace) {
    this.session = session;
    String table = keyspace + ".registry_organizations";
    insert =
        new PreparedCql(
            session,
            "INSERT INTO " + table + " (listing, id, name, created_at) VALUES (?, ?, ?, ?)");
    selectAfter =
        new PreparedCql(
            session,
            "SELECT id, name, created_at FROM " + table + " WHERE listing = ? AND id > ? LIMIT ?");
    count = new PreparedCql(session, "SELECT count(*) FROM " + table + " WHERE listing = ?");
  }

  @Override
  public CompletionStage<Done> add(ListedOrganization organization) {
    return insert
        .bind(LISTING, organization.id(), organization.name(), organization.created())
        // it sets values only, so the driver may retry it
        .thenCompose(bound -> session.executeWrite(bound.setIdempotent(true)));
  }

  @Override
  public CompletionStage<List<ListedOrganization>> organizationsAfter(String afterId, int limit) {
    return selectAfter
        .bind(LISTING, afterId == null ? "" : afterId, limit)
        .thenCompose(session::selectAll)
        .thenApply(
            rows -> rows.stream().map(CassandraOrganizationRepository::toOrganization).toList());
  }

  @Override
  public CompletionStage<Long> count() {
    return count
        .bind(LISTING)
        .thenCompose(session::selectOne)
        .thenApply(row -> row.map(r -> r.getLong(0)).orElse(0L));
  }

  private static ListedOrganization toOrganization(Row row) {
    return new ListedOrganization(
        row.getString("id"), row.getString("name"), row.getInstant("created_at"));
  }
}
