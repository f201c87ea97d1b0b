package io.entwine.connections;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.entwine.connections.ConnectionWritePlan.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the connection records of a node in runs (docs/adr/0073): the records the edge reports are
 * queued without waiting, and every {@code interval} the queue is written as {@link
 * ConnectionWritePlan} groups them, one single-partition batch per group. A run is written only
 * after the previous one is done, so records that come while Cassandra is slow make the next run
 * larger instead of adding writes. What the node reports while it stops is written before its
 * Cassandra session closes; what a node that dies has queued is lost (at most {@code interval} of
 * records): a connection whose start was lost has no record at all, one whose end was lost is
 * recorded as ended by the sweep ({@link ConnectionSweeper}).
 */
final class ConnectionRecordWriter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionRecordWriter.class);

  /**
   * Writes per batch, at most. Cassandra checks no size of a batch within one partition; the bound
   * keeps one mutation (and a retry of it) small.
   */
  static final int MAX_BATCH = 64;

  private final ConnectionTables tables;
  private final RetriedWrites writes;
  private final String self;
  private final ConcurrentLinkedQueue<ConnectionRecord> queued = new ConcurrentLinkedQueue<>();
  // the run being written, or the last one written
  private CompletableFuture<Done> running = CompletableFuture.completedFuture(Done.getInstance());

  ConnectionRecordWriter(ConnectionTables tables, RetriedWrites writes, String self) {
    this.tables = tables;
    this.writes = writes;
    this.self = self;
  }

  /** Writes every {@code interval}, and what is queued when the node stops. */
  void start(ActorSystem<?> system, Duration interval) {
    system
        .scheduler()
        .scheduleWithFixedDelay(interval, interval, this::writeQueued, system.executionContext());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(), "connection-records", this::writeAllQueued);
  }

  /** Queues a record; it never blocks (the MQTT edge calls it on an event loop). */
  void add(ConnectionRecord record) {
    queued.add(record);
  }

  /**
   * Writes what is queued as one run, done when its writes are (each retried, {@link
   * RetriedWrites}); while a run is being written, that run instead (the queue waits for the next).
   */
  CompletionStage<Done> writeQueued() {
    CompletableFuture<Done> run;
    synchronized (this) {
      if (!running.isDone()) {
        return running;
      }
      run = new CompletableFuture<>();
      running = run;
    }
    List<ConnectionRecord> records = new ArrayList<>();
    for (ConnectionRecord record; (record = queued.poll()) != null; ) {
      records.add(record);
    }
    CompletionStage<Done> written;
    try {
      written = write(records);
    } catch (RuntimeException unexpected) {
      // the run is lost, not the writer: the next run must still start
      log.warn("{} connection records were not written: {}", records.size(), unexpected.toString());
      written = CompletableFuture.completedFuture(Done.getInstance());
    }
    written.whenComplete((done, failure) -> run.complete(Done.getInstance()));
    return run;
  }

  /** Writes runs until the queue is empty (at a stop, when nothing else writes). */
  CompletionStage<Done> writeAllQueued() {
    if (queued.isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return writeQueued().thenCompose(done -> writeAllQueued());
  }

  private CompletionStage<Done> write(List<ConnectionRecord> run) {
    if (run.isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletableFuture<?>[] batches =
        ConnectionWritePlan.plan(run, self, MAX_BATCH).stream()
            .map(group -> writes.write(() -> statement(group)).toCompletableFuture())
            .toArray(CompletableFuture<?>[]::new);
    // a failed batch was logged by RetriedWrites; the run is done all the same
    return CompletableFuture.allOf(batches).handle((all, failure) -> Done.getInstance());
  }

  /** One group's statement: a single write alone, more as an unlogged batch (one partition). */
  private CompletionStage<Statement<?>> statement(List<Write> group) {
    List<CompletableFuture<BoundStatement>> bound = new ArrayList<>(group.size());
    for (Write write : group) {
      bound.add(tables.of(write.statement()).bind(write.values().toArray()).toCompletableFuture());
    }
    return CompletableFuture.allOf(bound.toArray(CompletableFuture<?>[]::new))
        .thenApply(
            all ->
                bound.size() == 1
                    ? bound.get(0).join()
                    : BatchStatement.newInstance(
                        BatchType.UNLOGGED,
                        bound.stream()
                            .map(CompletableFuture::join)
                            .toArray(BatchableStatement<?>[]::new)));
  }
}
