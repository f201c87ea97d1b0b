package io.entwine.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A load step sent at a paced total rate (step n gets n = 0, 1, 2…): a warm-up, then a measured
 * interval that starts by resetting the load's figures. The load's steps and callbacks ask {@link
 * #measuring()} whether what they see counts, and {@link #running()} whether to send at all.
 */
final class PacedRun {
  private volatile boolean measuring;
  private volatile boolean running = true;

  /** Whether the measured interval is on: what happens now counts. */
  boolean measuring() {
    return measuring;
  }

  /** False once the measured interval is over: steps still scheduled send nothing. */
  boolean running() {
    return running;
  }

  /** Runs the load and returns the measured interval's length in seconds. */
  double run(int rate, int warmUpSeconds, int seconds, LongConsumer step, Runnable resetFigures)
      throws InterruptedException {
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    AtomicLong sequence = new AtomicLong();
    pacer.scheduleAtFixedRate(
        () -> step.accept(sequence.getAndIncrement()), 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);
    try {
      Thread.sleep(warmUpSeconds * 1000L);
      resetFigures.run();
      measuring = true;
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      measuring = false;
      running = false;
      return (System.nanoTime() - start) / 1e9;
    } finally {
      pacer.shutdownNow();
    }
  }
}
