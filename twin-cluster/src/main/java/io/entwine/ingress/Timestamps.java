package io.entwine.ingress;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Times as every API shows them: milliseconds, the precision Cassandra stores. */
public final class Timestamps {
  private Timestamps() {}

  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }
}
