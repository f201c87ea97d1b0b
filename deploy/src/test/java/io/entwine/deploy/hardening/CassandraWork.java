package io.entwine.deploy.hardening;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.entwine.deploy.testing.LocalCluster;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What Cassandra did per table, from its own table metrics ({@code system_views}, Cassandra's
 * virtual tables: the operations a table served since Cassandra started), so that a campaign can
 * say which inputs reached Cassandra at all without nodetool or JMX.
 */
record CassandraWork(Map<String, Long> operations) {
  private static final String[] KINDS = {"write", "read", "scan"};

  static CassandraWork of(int cassandraPort) {
    Map<String, Long> operations = new HashMap<>();
    try (CqlSession session = LocalCluster.openSession(cassandraPort)) {
      for (String kind : KINDS) {
        for (Row row :
            session.execute(
                "SELECT keyspace_name, table_name, count FROM system_views.local_"
                    + kind
                    + "_latency")) {
          long count = row.getLong("count");
          if (count > 0) {
            operations.put(
                kind + " " + row.getString("keyspace_name") + "." + row.getString("table_name"),
                count);
          }
        }
      }
    }
    return new CassandraWork(operations);
  }

  CassandraWork minus(CassandraWork earlier) {
    Map<String, Long> difference = new HashMap<>();
    operations.forEach(
        (table, count) -> {
          long since = count - earlier.operations.getOrDefault(table, 0L);
          if (since > 0) {
            difference.put(table, since);
          }
        });
    return new CassandraWork(difference);
  }

  /** The busiest tables first, with their operations per 1,000 inputs. */
  String perInputs(long inputs) {
    long total = operations.values().stream().mapToLong(Long::longValue).sum();
    return String.format(
            "Cassandra operations during the campaign: %,d (%.1f per 1,000 inputs)%n",
            total, total * 1000.0 / inputs)
        + operations.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
            .limit(15)
            .map(
                e ->
                    String.format(
                        "  %-70s %,9d  %.1f per 1,000 inputs",
                        e.getKey(), e.getValue(), e.getValue() * 1000.0 / inputs))
            .collect(Collectors.joining("\n", "", "\n"));
  }
}
