package io.entwine.cassandra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.codec.CodecNotFoundException;
import io.entwine.deploy.testing.SharedCassandra;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PreparedCqlIT {
  private static final Instant AT = Instant.parse("2026-12-06T03:20:00.123Z");

  private static String keyspace;
  private static ActorSystem<Void> system;
  private static CassandraSession session;
  private static CqlSession reader;

  @BeforeAll
  static void start() {
    keyspace = SharedCassandra.newKeyspace();
    reader = SharedCassandra.openSession();
    reader.execute(
        "CREATE KEYSPACE "
            + keyspace
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    reader.execute(
        "CREATE TABLE "
            + keyspace
            + ".rows (k text, n bigint, i int, at timestamp, d double, b blob, note text,"
            + " PRIMARY KEY (k, n))");
    system = SharedCassandra.localActorSystem("prepared-cql-it", keyspace);
    session = SharedCassandra.pekkoSession(system);
  }

  @AfterAll
  static void stop() {
    reader.close();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  @Test
  void bindsEveryColumnTypeOfEveryRowAndNulls() {
    PreparedCql insert = insert();
    List<Object[]> rows =
        List.of(
            new Object[] {"p", 1L, 7, AT, 21.5, ByteBuffer.wrap(new byte[] {1, 2}), "first"},
            new Object[] {"p", 2L, -1, AT.plusMillis(1), -0.25, ByteBuffer.wrap(new byte[0]), null},
            new Object[] {"p", 3L, null, AT.plusMillis(2), null, null, "third"});

    List<BoundStatement> bound = await(insert.bindAll(rows));
    reader.execute(
        BatchStatement.newInstance(
            BatchType.UNLOGGED, bound.toArray(BatchableStatement<?>[]::new)));

    List<Row> read = reader.execute("SELECT * FROM " + keyspace + ".rows WHERE k = 'p'").all();
    assertEquals(3, read.size());
    assertRow(read.get(0), 1L, 7, AT, 21.5, new byte[] {1, 2}, "first");
    assertRow(read.get(1), 2L, -1, AT.plusMillis(1), -0.25, new byte[0], null);
    assertEquals(3L, read.get(2).getLong("n"));
    assertNull(read.get(2).getObject("i"));
    assertNull(read.get(2).getObject("d"));
    assertNull(read.get(2).getObject("b"));
    assertEquals("third", read.get(2).getString("note"));
  }

  @Test
  void refusesAValueOfTheWrongKindAfterRightOnesLikeTheDriver() {
    PreparedCql insert = insert();
    await(insert.bind("w", 1L, 1, AT, 1.0, ByteBuffer.wrap(new byte[0]), "ok"));

    CompletionException refused =
        assertThrows(
            CompletionException.class,
            () ->
                insert
                    .bind("w", "two", 1, AT, 1.0, ByteBuffer.wrap(new byte[0]), "ok")
                    .toCompletableFuture()
                    .join());
    assertInstanceOf(CodecNotFoundException.class, refused.getCause());
  }

  private static PreparedCql insert() {
    return new PreparedCql(
        session,
        "INSERT INTO " + keyspace + ".rows (k, n, i, at, d, b, note) VALUES (?, ?, ?, ?, ?, ?, ?)");
  }

  private static void assertRow(
      Row row, long n, int i, Instant at, double d, byte[] b, String note) {
    assertEquals(n, row.getLong("n"));
    assertEquals(i, row.getInt("i"));
    assertEquals(at, row.getInstant("at"));
    assertEquals(d, row.getDouble("d"));
    ByteBuffer blob = row.getByteBuffer("b");
    byte[] bytes = new byte[blob.remaining()];
    blob.get(bytes);
    assertArrayEquals(b, bytes);
    assertEquals(note, row.getString("note"));
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }
}
