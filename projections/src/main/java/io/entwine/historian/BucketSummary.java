package io.entwine.historian;

import java.util.Map;

/** The statistics of each requested field over one bucket [start, end) of a bucketed summary. */
public record BucketSummary(long start, long end, Map<String, Stats> stats) {}
