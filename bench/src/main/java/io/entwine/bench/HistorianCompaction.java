package io.entwine.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Size-tiered against time-window compaction for the historian's raw-event rows (docs/adr/0065),
 * measured in one run on one Cassandra so that both see the same load and the same machine: four
 * tables of {@code historian_device_events}' shape receive the same rows at the same time.
 *
 * <ul>
 *   <li>{@code stcs_uniform} and {@code twcs_uniform}: every row has the TTL, as when every
 *       organization keeps raw events for the same time;
 *   <li>{@code stcs_mixed} and {@code twcs_mixed}: half the organizations' rows have the TTL and
 *       the other half none, as when organizations with a retention share the tables with those
 *       kept for ever (the default).
 * </ul>
 *
 * Time is compressed: a time window of {@code --window-minutes} (TWCS's window and the span of a
 * device's partition, a day in the historian) stands for a day, and the options that count in days
 * count in windows (gc_grace_seconds, tombstone_compaction_interval); every table flushes its
 * memtable three times a window. Reads: the newest 100 rows ("a raw page") of a device's partition,
 * interleaved over the tables: of the previous window every 200 ms during the load, and of a window
 * of the load 500 times at the end. At the end, after the TTL and gc grace have passed, per table:
 * bytes on disk and SSTables, compactions and the bytes they read and wrote
 * (system.compaction_history), and the read latencies.
 *
 * <p>Arguments: {@code --port P --data-dir DIR} (the Cassandra data directory, where the SSTables
 * are counted) {@code [--seconds 480] [--rate 1000] (rows per second into each table) [--devices
 * 200] [--window-minutes 1] [--ttl-windows 3]}.
 */
public final class HistorianCompaction {
  private static final String KEYSPACE = "compaction_bench";
  private static final List<String> TABLES =
      List.of("stcs_uniform", "twcs_uniform", "stcs_mixed", "twcs_mixed");
  private static final int ORGANIZATIONS = 10;
  private static final int PAGE = 100;

  private final CqlSession session;
  private final Path dataDir;
  private final int windowSeconds;
  private final int ttlSeconds;
  private final int devices;
  private final Map<String, PreparedStatement> inserts = new LinkedHashMap<>();
  private final Map<String, PreparedStatement> pages = new LinkedHashMap<>();
  private final Map<String, Histogram> loadReads = new LinkedHashMap<>();
  private final Map<String, Histogram> finalReads = new LinkedHashMap<>();
  private final Semaphore inFlight = new Semaphore(256);
  private final AtomicLong failures = new AtomicLong();
  private long seqNr;
  private long firstLoadWindow;
  private long lastLoadWindow;

  private HistorianCompaction(
      CqlSession session, Path dataDir, int windowSeconds, int ttlSeconds, int devices) {
    this.session = session;
    this.dataDir = dataDir;
    this.windowSeconds = windowSeconds;
    this.ttlSeconds = ttlSeconds;
    this.devices = devices;
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args(argv);
    int windowMinutes = args.integer("window-minutes", 1);
    int windowSeconds = windowMinutes * 60;
    try (CqlSession session =
        LocalCassandra.connect(
            args.integer("port", 9042),
            DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30)))) {
      HistorianCompaction bench =
          new HistorianCompaction(
              session,
              Path.of(args.text("data-dir")),
              windowSeconds,
              args.integer("ttl-windows", 3) * windowSeconds,
              args.integer("devices", 200));
      bench.createTables(windowMinutes);
      bench.load(args.integer("seconds", 480), args.integer("rate", 1000));
      bench.report();
    }
  }

  private void createTables(int windowMinutes) {
    session.execute("DROP KEYSPACE IF EXISTS " + KEYSPACE);
    session.execute(
        "CREATE KEYSPACE "
            + KEYSPACE
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    for (String table : TABLES) {
      String compaction =
          table.startsWith("twcs")
              ? "{'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'MINUTES',"
                  + " 'compaction_window_size': "
                  + windowMinutes
                  + ", 'expired_sstable_check_frequency_seconds': 10,"
                  + " 'tombstone_compaction_interval': "
                  + windowSeconds
                  + "}"
              : "{'class': 'SizeTieredCompactionStrategy', 'tombstone_compaction_interval': "
                  + windowSeconds
                  + "}";
      session.execute(
          "CREATE TABLE "
              + KEYSPACE
              + "."
              + table
              + " (org text, type text, id text, day bigint, evt_type text, ts bigint,"
              + " seq_nr bigint, format text, payload blob,"
              + " PRIMARY KEY ((org, type, id, day, evt_type), ts, seq_nr))"
              + " WITH CLUSTERING ORDER BY (ts DESC, seq_nr DESC)"
              + " AND compaction = "
              + compaction
              + " AND gc_grace_seconds = "
              + windowSeconds
              + " AND memtable_flush_period_in_ms = "
              + windowSeconds * 1000 / 3);
      inserts.put(
          table,
          session.prepare(
              "INSERT INTO "
                  + KEYSPACE
                  + "."
                  + table
                  + " (org, type, id, day, evt_type, ts, seq_nr, format, payload)"
                  + " VALUES (?, 'meter', ?, ?, 'status', ?, ?, 'json', ?) USING TTL ?"));
      pages.put(
          table,
          session.prepare(
              "SELECT ts, payload FROM "
                  + KEYSPACE
                  + "."
                  + table
                  + " WHERE org = ? AND type = 'meter' AND id = ? AND day = ?"
                  + " AND evt_type = 'status' LIMIT "
                  + PAGE));
      loadReads.put(table, new Histogram());
      finalReads.put(table, new Histogram());
    }
  }

  private void load(int seconds, int rate) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    long written = 0;
    long nextRead = start;
    long nextReport = start + windowSeconds * 1_000_000_000L;
    firstLoadWindow = currentWindow();
    while (System.nanoTime() < end) {
      long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
      for (; written < due; written++) {
        int device = ThreadLocalRandom.current().nextInt(devices);
        long now = System.currentTimeMillis();
        // random bytes: a payload that compression cannot shrink to nothing
        byte[] bytes = new byte[100];
        ThreadLocalRandom.current().nextBytes(bytes);
        ByteBuffer payload = ByteBuffer.wrap(bytes);
        for (String table : TABLES) {
          int ttl = table.endsWith("uniform") || organization(device) % 2 == 0 ? ttlSeconds : 0;
          insert(table, device, now, payload.duplicate(), ttl);
        }
        seqNr++;
      }
      if (System.nanoTime() >= nextRead) {
        readPages(loadReads, currentWindow() - 1);
        nextRead = System.nanoTime() + 200_000_000L;
      }
      if (System.nanoTime() >= nextReport) {
        System.err.printf(
            Locale.ROOT,
            "bench: %d s, %d rows into each table, %s%n",
            (System.nanoTime() - start) / 1_000_000_000L,
            written,
            diskSummary());
        nextReport += windowSeconds * 1_000_000_000L;
      }
      Thread.sleep(5);
    }
    inFlight.acquire(256);
    inFlight.release(256);
    lastLoadWindow = currentWindow();
    System.err.printf(Locale.ROOT, "bench: load over, %d failed writes%n", failures.get());
    // the last rows expire, their gc grace passes, TWCS checks for expired SSTables
    long quiet = ttlSeconds + 2L * windowSeconds + 20;
    for (long waited = 0; waited < quiet; waited += windowSeconds) {
      Thread.sleep(Math.min(windowSeconds, quiet - waited) * 1000L);
      System.err.printf(
          Locale.ROOT, "bench: quiet %d s, %s%n", waited + windowSeconds, diskSummary());
    }
  }

  private static int organization(int device) {
    return device % ORGANIZATIONS;
  }

  private void insert(String table, int device, long now, ByteBuffer payload, int ttl)
      throws InterruptedException {
    inFlight.acquire();
    CompletionStage<AsyncResultSet> write =
        session.executeAsync(
            inserts
                .get(table)
                .bind(
                    "org" + organization(device),
                    MqttTarget.deviceId(device),
                    now / 1000 / windowSeconds,
                    now,
                    seqNr,
                    payload,
                    ttl));
    write.whenComplete(
        (rows, failure) -> {
          if (failure != null) {
            failures.incrementAndGet();
          }
          inFlight.release();
        });
  }

  /**
   * One page per table, of the same device's partition of {@code window}, the tables in turn from a
   * random one (the first read of a round waits longest for a loaded Cassandra's threads).
   */
  private void readPages(Map<String, Histogram> latencies, long window) {
    int device = ThreadLocalRandom.current().nextInt(devices);
    int first = ThreadLocalRandom.current().nextInt(TABLES.size());
    for (int i = 0; i < TABLES.size(); i++) {
      String table = TABLES.get((first + i) % TABLES.size());
      long started = System.nanoTime();
      session.execute(
          pages.get(table).bind("org" + organization(device), MqttTarget.deviceId(device), window));
      latencies.get(table).record(System.nanoTime() - started);
    }
  }

  private long currentWindow() {
    return System.currentTimeMillis() / 1000 / windowSeconds;
  }

  private void report() {
    // partitions written during the load: expired in the uniform tables, half kept in the mixed
    for (int i = 0; i < 500; i++) {
      readPages(
          finalReads, ThreadLocalRandom.current().nextLong(firstLoadWindow, lastLoadWindow + 1));
    }
    Map<String, long[]> compactions = new LinkedHashMap<>();
    for (Row row :
        session.execute(
            "SELECT columnfamily_name, bytes_in, bytes_out FROM system.compaction_history"
                + " WHERE keyspace_name = ? ALLOW FILTERING",
            KEYSPACE)) {
      long[] sums = compactions.computeIfAbsent(row.getString(0), t -> new long[3]);
      sums[0]++;
      sums[1] += row.getLong(1);
      sums[2] += row.getLong(2);
    }
    System.out.printf(
        Locale.ROOT,
        "%-14s %10s %9s %12s %14s %14s %12s %12s %12s %12s%n",
        "table",
        "disk MB",
        "SSTables",
        "compactions",
        "compacted in MB",
        "compacted out MB",
        "load p50 ms",
        "load p99 ms",
        "end p50 ms",
        "end p99 ms");
    for (String table : TABLES) {
      long[] compacted = compactions.getOrDefault(table, new long[3]);
      long[] disk = disk(table);
      System.out.printf(
          Locale.ROOT,
          "%-14s %10.1f %9d %12d %14.1f %14.1f %12.2f %12.2f %12.2f %12.2f%n",
          table,
          disk[0] / 1e6,
          disk[1],
          compacted[0],
          compacted[1] / 1e6,
          compacted[2] / 1e6,
          loadReads.get(table).percentileMillis(50),
          loadReads.get(table).percentileMillis(99),
          finalReads.get(table).percentileMillis(50),
          finalReads.get(table).percentileMillis(99));
    }
  }

  private String diskSummary() {
    StringBuilder summary = new StringBuilder();
    for (String table : TABLES) {
      long[] disk = disk(table);
      summary.append(String.format(Locale.ROOT, "%s %.1f MB/%d; ", table, disk[0] / 1e6, disk[1]));
    }
    return summary.toString();
  }

  /** Bytes of the table's live SSTable files and the number of SSTables. */
  private long[] disk(String table) {
    Path keyspace = dataDir.resolve(KEYSPACE);
    long[] disk = new long[2];
    try (Stream<Path> files = Files.walk(keyspace)) {
      files
          .filter(f -> f.getParent().getFileName().toString().startsWith(table + "-"))
          .filter(Files::isRegularFile)
          .forEach(
              f -> {
                try {
                  disk[0] += Files.size(f);
                } catch (IOException gone) {
                  // compacted away while walking
                }
                if (f.getFileName().toString().endsWith("-Data.db")) {
                  disk[1]++;
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // a directory compacted away while walking: the next summary counts again
    }
    return disk;
  }
}
