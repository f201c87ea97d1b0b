package io.entwine.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.Map;
import java.util.TreeMap;

/**
 * What Cassandra does for each event while a scenario runs: its own counts of local writes
 * (mutations: a batch into one partition is one) and reads per table of a keyspace, taken twice
 * from the {@code system_views} virtual tables, and divided by the journal rows written between.
 * Run it against the bench's Cassandra while load is on (docs/performance.md, "Levers").
 *
 * <p>Arguments: port, seconds[, keyspace (entwine)].
 */
public final class CassandraWrites {
  private static final String[] VIEWS = {"local_write_latency", "local_read_latency"};

  private CassandraWrites() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long seconds = Long.parseLong(args[1]);
    String keyspace = args.length > 2 ? args[2] : "entwine";
    try (CqlSession session =
        LocalCassandra.connect(port, DriverConfigLoader.programmaticBuilder())) {
      Map<String, Long> before = counts(session, keyspace);
      Thread.sleep(seconds * 1000);
      Map<String, Long> after = counts(session, keyspace);
      long journalRows =
          after.getOrDefault("local_write_latency messages", 0L)
              - before.getOrDefault("local_write_latency messages", 0L);
      System.out.printf(
          "%d journal rows in %d s (%d/s)%n", journalRows, seconds, journalRows / seconds);
      System.out.printf("%-48s %10s %10s%n", "operation and table", "count", "per row");
      after.forEach(
          (name, count) -> {
            long delta = count - before.getOrDefault(name, 0L);
            if (delta > 0) {
              System.out.printf(
                  "%-48s %10d %10.3f%n",
                  name.replace("local_", "").replace("_latency", ""),
                  delta,
                  journalRows > 0 ? (double) delta / journalRows : 0);
            }
          });
    }
  }

  private static Map<String, Long> counts(CqlSession session, String keyspace) {
    Map<String, Long> counts = new TreeMap<>();
    for (String view : VIEWS) {
      for (Row row :
          session.execute(
              "SELECT table_name, count FROM system_views." + view + " WHERE keyspace_name = ?",
              keyspace)) {
        counts.put(view + " " + row.getString(0), row.getLong(1));
      }
    }
    return counts;
  }
}
