package io.entwine.connections;

import com.datastax.oss.driver.api.core.cql.Statement;
import io.entwine.cassandra.PreparedCql;
import io.entwine.concurrent.AsyncPermits;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection records' writes: each is idempotent (it sets values), so a failed one is tried
 * again, {@link #ATTEMPTS} times in all with a growing pause (about 13 s in all, a Cassandra node
 * restarting or a driver timeout under load), and only then logged and lost. At most {@link
 * #MAX_IN_FLIGHT} run at once on a node, so a reconnect storm waits rather than floods; a write
 * waiting for its next attempt holds no permit.
 */
final class RetriedWrites {
  private static final Logger log = LoggerFactory.getLogger(RetriedWrites.class);

  static final int ATTEMPTS = 6;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final int MAX_IN_FLIGHT = 32;

  private final AsyncPermits limiter =
      new AsyncPermits("connection records in flight", MAX_IN_FLIGHT);
  private final CassandraSession session;
  private final ClassicActorSystemProvider system;

  RetriedWrites(CassandraSession session, ClassicActorSystemProvider system) {
    this.session = session;
    this.system = system;
  }

  /** The write's outcome once done or given up; a failure is also logged. */
  CompletionStage<Done> write(PreparedCql statement, Object... values) {
    return write(() -> statement.bind(values));
  }

  /**
   * Writes the statement {@code statement} builds (a bound statement or a batch of them, each
   * setting values), with the same retries.
   */
  CompletionStage<Done> write(Supplier<CompletionStage<? extends Statement<?>>> statement) {
    return Patterns.retry(
            () ->
                limiter.run(
                    1,
                    () ->
                        statement
                            .get()
                            .thenCompose(bound -> session.executeWrite(bound.setIdempotent(true)))),
            ATTEMPTS,
            MIN_BACKOFF,
            MAX_BACKOFF,
            0.2,
            system)
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                log.warn(
                    "A connection record was not written after {} attempts: {}",
                    ATTEMPTS,
                    failure.toString());
              }
            });
  }
}
