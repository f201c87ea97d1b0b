package io.entwine.deploy.hardening;

import java.util.function.BooleanSupplier;

/** One client of the fuzz campaign: a port to send inputs to, the tally, and when to stop. */
abstract class FuzzClient implements Runnable {
  protected final int port;
  protected final FuzzTally tally;
  private final BooleanSupplier more;

  FuzzClient(int port, FuzzTally tally, BooleanSupplier more) {
    this.port = port;
    this.tally = tally;
    this.more = more;
  }

  /** Whether the campaign wants more of this client's inputs. */
  protected boolean more() {
    return more.getAsBoolean() && !Thread.currentThread().isInterrupted();
  }
}
