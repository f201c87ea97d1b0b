package io.entwine.historian;

import io.entwine.protocol.Reply;
import java.util.Map;

/**
 * The Cassandra TTLs, in seconds from the write (0: no TTL), of the historian rows of the
 * organizations in one batch (ADR 0065).
 */
public record RowTtls(Map<String, Reply.HistoryRetention> byOrg) {

  public static final RowTtls NONE = new RowTtls(Map.of());

  /**
   * The longest retention the operator may set (ten years): a bucket row lives a day longer, and
   * Cassandra refuses TTLs over twenty years.
   */
  public static final long MAX_RETENTION_SECONDS = 3_650L * 86_400;

  /**
   * How much longer than the rows it indexes a bucket row lives: a device's bucket is a UTC day and
   * is written with the first row of that day.
   */
  static final long BUCKET_MARGIN_SECONDS = 86_400;

  public RowTtls {
    byOrg = Map.copyOf(byOrg);
  }

  public int rawEvents(String org) {
    return (int) retention(org).rawEventsSeconds();
  }

  public int rollups(String org) {
    return (int) retention(org).rollupsSeconds();
  }

  /**
   * How long a row of {@code historian_buckets} must stay, in seconds (0: for ever): buckets lead
   * pages and summary edges to raw rows and give long summaries the extent of their roll-ups, so
   * they stay as long as either kind of row.
   */
  public long bucketLifetime(String org) {
    Reply.HistoryRetention retention = retention(org);
    if (retention.rawEventsSeconds() == 0 || retention.rollupsSeconds() == 0) {
      return 0;
    }
    return Math.max(retention.rawEventsSeconds(), retention.rollupsSeconds());
  }

  private Reply.HistoryRetention retention(String org) {
    return byOrg.getOrDefault(org, Reply.HistoryRetention.UNLIMITED);
  }
}
