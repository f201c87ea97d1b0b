package io.entwine.projection;

import java.time.Instant;

/**
 * How far one projection instance (one tag slice) is behind the journal.
 *
 * @param projectedUpTo write time of the newest event the projection has processed (its offset);
 *     null before its first offset is stored
 * @param offsetStoredAt when that offset was stored
 * @param newestEventAt write time of the newest event of the slice in the journal's recent tag
 *     buckets (the current and previous one); null when there is none
 * @param lagMillis {@code newestEventAt − projectedUpTo}, at least 0; 0 when there are no recent
 *     events; null when the projection has not stored an offset yet but events exist
 */
public record SliceLag(
    String projection,
    String slice,
    Instant projectedUpTo,
    Instant offsetStoredAt,
    Instant newestEventAt,
    Long lagMillis) {}
