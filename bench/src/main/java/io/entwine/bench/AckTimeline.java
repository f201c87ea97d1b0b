package io.entwine.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Every acknowledged message's send time and latency, for finding when slow acknowledgements happen
 * (periodic stalls, pauses) rather than only how many there are. Off unless a file is given; the
 * bench keeps one per run when {@code BENCH_TIMELINE_DIR} is set.
 */
final class AckTimeline {
  private final Path file;
  private long[] sentAt = new long[0];
  private long[] latencies = new long[0];
  private int size;

  AckTimeline(Args args) {
    String path = args.text("timeline", "");
    this.file = path.isEmpty() ? null : Path.of(path);
    if (file != null) {
      sentAt = new long[1 << 16];
      latencies = new long[1 << 16];
    }
  }

  synchronized void record(long sentAtNanos, long latencyNanos) {
    if (file == null) {
      return;
    }
    if (size == sentAt.length) {
      sentAt = Arrays.copyOf(sentAt, size * 2);
      latencies = Arrays.copyOf(latencies, size * 2);
    }
    sentAt[size] = sentAtNanos;
    latencies[size] = latencyNanos;
    size++;
  }

  synchronized void reset() {
    size = 0;
  }

  /**
   * One line per message, {@code <sent, ms after the measurement began> <latency ms>}, after a
   * header with the wall-clock time at which the measurement began (to line up with GC logs).
   */
  synchronized void write(long measureStartNanos, long measureStartEpochMillis) throws IOException {
    if (file == null) {
      return;
    }
    try (PrintWriter out =
        new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII))) {
      out.printf(Locale.ROOT, "# measurement began at epoch ms %d%n", measureStartEpochMillis);
      for (int i = 0; i < size; i++) {
        out.printf(
            Locale.ROOT, "%.1f %.1f%n", (sentAt[i] - measureStartNanos) / 1e6, latencies[i] / 1e6);
      }
    }
  }
}
