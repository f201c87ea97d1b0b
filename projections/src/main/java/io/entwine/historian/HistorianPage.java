package io.entwine.historian;

import java.util.List;
import java.util.Optional;

/** A page of events, newest first, and where the next page starts if there is one. */
public record HistorianPage(List<HistoricalEvent> events, Optional<Position> next) {}
