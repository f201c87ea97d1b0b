package io.entwine.cassandra;

import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * One table of a keyspace and the statements a repository prepares on it. A statement names the
 * table {@code {table}}, so that its text reads as the CQL it runs.
 */
public record CqlTable(CassandraSession session, String qualifiedName) {

  public static CqlTable of(CassandraSession session, String keyspace, String table) {
    return new CqlTable(session, keyspace + "." + table);
  }

  /** {@code cql} on this table, prepared on first use. */
  public PreparedCql prepare(String cql) {
    return new PreparedCql(session, cql.replace("{table}", qualifiedName));
  }
}
