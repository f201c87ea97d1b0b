package io.entwine.cassandra;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * A statement prepared on first use and kept. A failed preparation (for example before the schema
 * is applied) is forgotten, so the next use tries again instead of failing forever.
 */
public final class PreparedCql {
  private final CassandraSession session;
  private final String cql;
  private final AtomicReference<CompletableFuture<Prepared>> statement = new AtomicReference<>();

  public PreparedCql(CassandraSession session, String cql) {
    this.session = session;
    this.cql = cql;
  }

  public CompletionStage<BoundStatement> bind(Object... values) {
    return get().thenApply(prepared -> prepared.bind(values));
  }

  /** One bound statement per row of values, in order. */
  public CompletionStage<List<BoundStatement>> bindAll(List<Object[]> rows) {
    return get()
        .thenApply(
            prepared -> {
              List<BoundStatement> bound = new ArrayList<>(rows.size());
              for (Object[] row : rows) {
                bound.add(prepared.bind(row));
              }
              return bound;
            });
  }

  /**
   * Writes {@code values}. Every write of the read models only sets values, so it is marked
   * idempotent: the driver retries only idempotent statements.
   */
  public CompletionStage<Done> write(Object... values) {
    return bind(values).thenCompose(bound -> session.executeWrite(bound.setIdempotent(true)));
  }

  public CompletionStage<List<Row>> selectAll(Object... values) {
    return bind(values).thenCompose(session::selectAll);
  }

  public CompletionStage<Optional<Row>> selectOne(Object... values) {
    return bind(values).thenCompose(session::selectOne);
  }

  private CompletionStage<Prepared> get() {
    CompletableFuture<Prepared> known = statement.get();
    if (known != null) {
      return known;
    }
    CompletableFuture<Prepared> attempt = new CompletableFuture<>();
    if (!statement.compareAndSet(null, attempt)) {
      return get();
    }
    session
        .prepare(cql)
        .whenComplete(
            (prepared, error) -> {
              if (error == null) {
                attempt.complete(new Prepared(prepared));
              } else {
                statement.compareAndSet(attempt, null);
                attempt.completeExceptionally(error);
              }
            });
    return attempt;
  }

  /**
   * A prepared statement that binds each value with the codec its position used last, and looks a
   * codec up only for a value that codec does not accept. The driver's {@code bind(Object...)}
   * searches its codecs for every value: for the historian's raw rows that was 6 % of the node's
   * CPU under MQTT QoS 0 load (docs/performance.md).
   */
  private static final class Prepared {
    private final PreparedStatement statement;
    private final ColumnDefinitions variables;
    // A race between two binds only repeats a lookup.
    private final AtomicReferenceArray<TypeCodec<Object>> codecs;

    Prepared(PreparedStatement statement) {
      this.statement = statement;
      this.variables = statement.getVariableDefinitions();
      this.codecs = new AtomicReferenceArray<>(variables.size());
    }

    BoundStatement bind(Object[] values) {
      if (values.length > variables.size()) {
        throw new IllegalArgumentException(
            values.length + " values for the " + variables.size() + " variables of a statement");
      }
      BoundStatementBuilder builder = statement.boundStatementBuilder();
      for (int i = 0; i < values.length; i++) {
        Object value = values[i];
        if (value == null) {
          builder.setToNull(i);
          continue;
        }
        TypeCodec<Object> codec = codecs.get(i);
        if (codec == null || !codec.accepts(value)) {
          codec = builder.codecRegistry().codecFor(variables.get(i).getType(), value);
          codecs.set(i, codec);
        }
        builder.set(i, value, codec);
      }
      return builder.build();
    }
  }
}
