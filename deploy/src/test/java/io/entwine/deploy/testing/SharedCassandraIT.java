package io.entwine.deploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import org.junit.jupiter.api.Test;

class SharedCassandraIT {

  @Test
  void callersShareOneCassandraAndGetTheirOwnKeyspaces() {
    String first = SharedCassandra.newKeyspaceWithSchema();
    String second = SharedCassandra.newKeyspaceWithSchema();

    assertSame(SharedCassandra.get(), SharedCassandra.get());
    assertNotEquals(first, second);
    try (CqlSession session = SharedCassandra.openSession()) {
      for (String keyspace : new String[] {first, second}) {
        assertEquals(
            1,
            session
                .execute(
                    "SELECT table_name FROM system_schema.tables"
                        + " WHERE keyspace_name = ? AND table_name = 'messages'",
                    keyspace)
                .all()
                .size());
      }
    }
  }

  @Test
  void pekkoConfigPointsJournalSnapshotsAndOffsetsAtTheKeyspace() {
    String config = SharedCassandra.pekkoCassandraConfig("it_example");

    assertTrue(config.contains("127.0.0.1:" + SharedCassandra.get().nativePort()));
    assertTrue(config.contains("pekko.persistence.cassandra.journal.keyspace = \"it_example\""));
    assertTrue(config.contains("pekko.persistence.cassandra.snapshot.keyspace = \"it_example\""));
    assertTrue(
        config.contains("pekko.projection.cassandra.offset-store.keyspace = \"it_example\""));
  }
}
