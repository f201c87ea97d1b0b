package io.entwine.connections;

import java.time.Instant;

/** One line of a device's connection log, as IBM's v0002 API lists it. */
public record ConnectionLogEntry(Instant timestamp, String message) {}
