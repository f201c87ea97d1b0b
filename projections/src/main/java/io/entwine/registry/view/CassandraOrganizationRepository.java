package io.entwine.registry.view;

import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.cassandra.CqlTable;
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

  private final PreparedCql insert;
  private final PreparedCql selectAfter;
  private final PreparedCql count;

  public CassandraOrganizationRepository(CassandraSession session, String keyspace) {
    CqlTable table = CqlTable.of(session, keyspace, "registry_organizations");
    insert =
        table.prepare("INSERT INTO {table} (listing, id, name, created_at) VALUES (?, ?, ?, ?)");
    selectAfter =
        table.prepare(
            "SELECT id, name, created_at FROM {table} WHERE listing = ? AND id > ? LIMIT ?");
    count = table.prepare("SELECT count(*) FROM {table} WHERE listing = ?");
  }

  @Override
  public CompletionStage<Done> add(ListedOrganization organization) {
    return insert.write(LISTING, organization.id(), organization.name(), organization.created());
  }

  @Override
  public CompletionStage<List<ListedOrganization>> organizationsAfter(String afterId, int limit) {
    return selectAfter
        .selectAll(LISTING, afterId == null ? "" : afterId, limit)
        .thenApply(
            rows -> rows.stream().map(CassandraOrganizationRepository::toOrganization).toList());
  }

  @Override
  public CompletionStage<Long> count() {
    return count.selectOne(LISTING).thenApply(row -> row.map(r -> r.getLong(0)).orElse(0L));
  }

  private static ListedOrganization toOrganization(Row row) {
    return new ListedOrganization(
        row.getString("id"), row.getString("name"), row.getInstant("created_at"));
  }
}
