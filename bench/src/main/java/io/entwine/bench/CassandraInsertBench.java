package io.entwine.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable-ingest reference: single-row inserts through the same Cassandra driver, with the
 * payload size and concurrency of the Entwine scenario, for a fixed time. Prints {@code rows/s p50
 * p99} (ms) on the last line.
 *
 * <p>Arguments: port, seconds, concurrency, payload bytes, devices.
 */
public final class CassandraInsertBench {
  private CassandraInsertBench() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    int concurrency = Integer.parseInt(args[2]);
    int payloadBytes = Integer.parseInt(args[3]);
    int devices = Integer.parseInt(args[4]);
    try (CqlSession session =
        LocalCassandra.connect(
            port,
            DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, 4))) {
      session.execute(
          "CREATE KEYSPACE IF NOT EXISTS bench_raw WITH replication ="
              + " {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute(
          "CREATE TABLE IF NOT EXISTS bench_raw.events"
              + " (device text, seq bigint, payload blob, PRIMARY KEY ((device), seq))");
      PreparedStatement insert =
          session.prepare("INSERT INTO bench_raw.events (device, seq, payload) VALUES (?, ?, ?)");
      ByteBuffer payload = ByteBuffer.wrap(new byte[payloadBytes]);

      run(session, insert, payload, concurrency, devices, Duration.ofSeconds(5), null);
      Histogram latencies = new Histogram();
      long rows =
          run(
              session,
              insert,
              payload,
              concurrency,
              devices,
              Duration.ofSeconds(seconds),
              latencies);
      System.out.printf(
          "%.0f %.2f %.2f%n",
          rows / (double) seconds, latencies.percentileMillis(50), latencies.percentileMillis(99));
    }
  }

  private static long run(
      CqlSession session,
      PreparedStatement insert,
      ByteBuffer payload,
      int concurrency,
      int devices,
      Duration duration,
      Histogram latencies)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(concurrency);
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + duration.toNanos();
    long seq = 0;
    while (System.nanoTime() < end) {
      inFlight.acquire();
      long started = System.nanoTime();
      seq++;
      session
          .executeAsync(insert.bind("device-" + (seq % devices), seq, payload.duplicate()))
          .whenComplete(
              (result, failure) -> {
                if (failure == null) {
                  done.incrementAndGet();
                  if (latencies != null) {
                    latencies.record(System.nanoTime() - started);
                  }
                }
                inFlight.release();
              });
    }
    inFlight.acquire(concurrency);
    return done.get();
  }
}
