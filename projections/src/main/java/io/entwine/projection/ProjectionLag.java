package io.entwine.projection;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Reads each projection slice's lag from Cassandra: the slice's stored offset (pekko-projection's
 * {@code offset_store}; a time-based UUID, i.e. the write time of the last processed event) against
 * the newest event of the tag in the journal's {@code tag_views}. Works from any node, whichever
 * node runs the slice.
 */
public final class ProjectionLag {
  /** pekko-projection-cassandra 1.0.0 spreads offsets over this many partitions. */
  private static final int OFFSET_PARTITIONS = 5;

  private static final String TIME_BASED_UUID = "TBU";

  private final CassandraSession session;
  private final String offsetKeyspace;
  private final String journalKeyspace;
  private final long tagBucketMillis;
  private final Map<String, List<String>> tagsByProjection;
  private final Clock clock;

  public ProjectionLag(
      CassandraSession session,
      String offsetKeyspace,
      String journalKeyspace,
      long tagBucketMillis,
      Map<String, List<String>> tagsByProjection,
      Clock clock) {
    this.session = session;
    this.offsetKeyspace = offsetKeyspace;
    this.journalKeyspace = journalKeyspace;
    this.tagBucketMillis = tagBucketMillis;
    this.tagsByProjection = new TreeMap<>(tagsByProjection);
    this.clock = clock;
  }

  /** The node's keyspaces and events-by-tag bucket size from its configuration. */
  public static ProjectionLag fromConfig(
      CassandraSession session, Config config, Map<String, List<String>> tagsByProjection) {
    String bucketSize = config.getString("pekko.persistence.cassandra.events-by-tag.bucket-size");
    long bucketMillis =
        switch (bucketSize) {
          case "Minute" -> 60_000L;
          case "Hour" -> 3_600_000L;
          case "Day" -> 86_400_000L;
          default -> throw new IllegalArgumentException("Unknown tag bucket size " + bucketSize);
        };
    return new ProjectionLag(
        session,
        config.getString("pekko.projection.cassandra.offset-store.keyspace"),
        config.getString("pekko.persistence.cassandra.journal.keyspace"),
        bucketMillis,
        tagsByProjection,
        Clock.systemUTC());
  }

  /** Every projection's slices, by projection name, then in slice order. */
  public CompletionStage<List<SliceLag>> lags() {
    List<CompletableFuture<SliceLag>> slices = new ArrayList<>();
    tagsByProjection.forEach(
        (projection, tags) -> {
          for (String tag : tags) {
            slices.add(lag(projection, tag).toCompletableFuture());
          }
        });
    return CompletableFuture.allOf(slices.toArray(CompletableFuture[]::new))
        .thenApply(all -> slices.stream().map(CompletableFuture::join).toList());
  }

  private CompletionStage<SliceLag> lag(String projection, String tag) {
    return offset(projection, tag)
        .thenCombine(
            newestEvent(tag),
            (offset, newest) -> {
              Instant projectedUpTo = offset.flatMap(ProjectionLag::offsetTime).orElse(null);
              Instant storedAt = offset.map(row -> row.getInstant("last_updated")).orElse(null);
              Instant newestAt = newest.orElse(null);
              Long lag;
              if (newestAt == null) {
                lag = 0L;
              } else if (projectedUpTo == null) {
                lag = null;
              } else {
                lag = Math.max(0, newestAt.toEpochMilli() - projectedUpTo.toEpochMilli());
              }
              return new SliceLag(projection, tag, projectedUpTo, storedAt, newestAt, lag);
            });
  }

  private CompletionStage<Optional<Row>> offset(String projection, String tag) {
    return session.selectOne(
        "SELECT offset, manifest, last_updated FROM "
            + offsetKeyspace
            + ".offset_store WHERE projection_name = ? AND partition = ? AND projection_key = ?",
        projection,
        Math.abs(tag.hashCode() % OFFSET_PARTITIONS),
        tag);
  }

  private static Optional<Instant> offsetTime(Row row) {
    if (!TIME_BASED_UUID.equals(row.getString("manifest"))) {
      return Optional.empty();
    }
    UUID uuid = UUID.fromString(row.getString("offset"));
    return Optional.of(Instant.ofEpochMilli(Uuids.unixTimestamp(uuid)));
  }

  /** The newest tagged event in the current or the previous tag bucket. */
  private CompletionStage<Optional<Instant>> newestEvent(String tag) {
    long current = clock.millis() / tagBucketMillis * tagBucketMillis;
    return newestIn(tag, current)
        .thenCompose(
            found ->
                found.isPresent()
                    ? CompletableFuture.completedFuture(found)
                    : newestIn(tag, current - tagBucketMillis));
  }

  private CompletionStage<Optional<Instant>> newestIn(String tag, long bucket) {
    return session
        .selectOne(
            "SELECT timestamp FROM "
                + journalKeyspace
                + ".tag_views WHERE tag_name = ? AND timebucket = ? ORDER BY timestamp DESC LIMIT"
                + " 1",
            tag,
            bucket)
        .thenApply(row -> row.map(r -> Instant.ofEpochMilli(Uuids.unixTimestamp(r.getUuid(0)))));
  }
}
