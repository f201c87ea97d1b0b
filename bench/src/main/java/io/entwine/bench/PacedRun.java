package io.entwine.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A load step sent at a paced total rate (step n gets n = 0, 1, 2…): a warm-up, then a measured
 * interval between {@code startMeasuring} (which resets the figures) and {@code stopMeasuring}.
 */
final class PacedRun {
  private PacedRun() {}

  /** Runs the load and returns the measured interval's length in seconds. */
  static double run(
      int rate,
      int warmUpSeconds,
      int seconds,
      LongConsumer step,
      Runnable startMeasuring,
      Runnable stopMeasuring)
      throws InterruptedException {
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    AtomicLong sequence = new AtomicLong();
    pacer.scheduleAtFixedRate(
        () -> step.accept(sequence.getAndIncrement()), 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);
    try {
      Thread.sleep(warmUpSeconds * 1000L);
      startMeasuring.run();
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      stopMeasuring.run();
      return (System.nanoTime() - start) / 1e9;
    } finally {
      pacer.shutdownNow();
    }
  }
}
