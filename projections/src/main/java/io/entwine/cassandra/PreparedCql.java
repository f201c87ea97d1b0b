package io.entwine.cassandra;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * A statement prepared on first use and kept. A failed preparation (for example before the schema
 * is applied) is forgotten, so the next use tries again instead of failing forever.
 */
public final class PreparedCql {
  private final CassandraSession session;
  private final String cql;
  private final AtomicReference<CompletableFuture<PreparedStatement>> statement =
      new AtomicReference<>();

  public PreparedCql(CassandraSession session, String cql) {
    this.session = session;
    this.cql = cql;
  }

  public CompletionStage<BoundStatement> bind(Object... values) {
    return get().thenApply(prepared -> prepared.bind(values));
  }

  /** One bound statement per row of values, in order. */
  public CompletionStage<List<BoundStatement>> bindAll(List<Object[]> rows) {
    return get().thenApply(prepared -> rows.stream().map(prepared::bind).toList());
  }

  private CompletionStage<PreparedStatement> get() {
    CompletableFuture<PreparedStatement> known = statement.get();
    if (known != null) {
      return known;
    }
    CompletableFuture<PreparedStatement> attempt = new CompletableFuture<>();
    if (!statement.compareAndSet(null, attempt)) {
      return get();
    }
    session
        .prepare(cql)
        .whenComplete(
            (prepared, error) -> {
              if (error == null) {
                attempt.complete(prepared);
              } else {
                statement.compareAndSet(attempt, null);
                attempt.completeExceptionally(error);
              }
            });
    return attempt;
  }
}
