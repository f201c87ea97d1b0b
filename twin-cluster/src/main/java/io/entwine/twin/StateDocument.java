package io.entwine.twin;

import static io.entwine.twin.StateTrees.NODES;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.Optional;

/**
 * A twin's state (issue 19; AWS IoT Device Shadow's document): what the device {@code reported},
 * what applications {@code desired}, the {@code version} every change increments, and beside each
 * tree the time (epoch seconds) each of its leaves last changed. The delta is computed, never kept.
 * Immutable: a change builds new trees. A twin whose device has no state holds none ({@link
 * TwinState#stateDocument} is null), so it costs no heap.
 */
public record StateDocument(
    ObjectNode reported,
    ObjectNode desired,
    long version,
    ObjectNode reportedTimes,
    ObjectNode desiredTimes)
    implements CborSerializable {

  /** The largest {@code reported} or {@code desired}, as JSON text (AWS's limit too). */
  public static final int MAX_BYTES = 32 * 1024;

  /** The deepest nesting of {@code reported}, {@code desired} or a patch; {@code {"a":1}} is 1. */
  public static final int MAX_DEPTH = 8;

  /** The state of a twin that has none; shown, never stored. */
  static final StateDocument NONE =
      new StateDocument(
          NODES.objectNode(), NODES.objectNode(), 0, NODES.objectNode(), NODES.objectNode());

  public StateDocument {
    reported = reported == null ? NODES.objectNode() : reported;
    desired = desired == null ? NODES.objectNode() : desired;
    reportedTimes = reportedTimes == null ? NODES.objectNode() : reportedTimes;
    desiredTimes = desiredTimes == null ? NODES.objectNode() : desiredTimes;
  }

  static StateDocument of(TwinState state) {
    return state.stateDocument() == null ? NONE : state.stateDocument();
  }

  /** Why {@code patch} may not be applied, whatever the state holds, if it may not. */
  public static Optional<String> checkDepth(ObjectNode patch) {
    int depth = StateTrees.depth(patch);
    return depth > MAX_DEPTH
        ? Optional.of(
            "The state document is "
                + depth
                + " levels deep; at most "
                + MAX_DEPTH
                + " levels are allowed")
        : Optional.empty();
  }

  /** Why this document may not be kept (too large), if it may not. */
  Optional<String> checkSize() {
    int reportedBytes = StateTrees.jsonBytes(reported);
    int desiredBytes = StateTrees.jsonBytes(desired);
    if (Math.max(reportedBytes, desiredBytes) <= MAX_BYTES) {
      return Optional.empty();
    }
    return Optional.of(
        (reportedBytes > MAX_BYTES ? "reported" : "desired")
            + " would be "
            + Math.max(reportedBytes, desiredBytes)
            + " bytes; a state document is at most "
            + MAX_BYTES
            + " bytes");
  }

  /** {@code patch} merged into {@code reported}, or empty when it changes nothing. */
  Optional<StateDocument> withReported(ObjectNode patch, Instant at) {
    ObjectNode newReported = reported.deepCopy();
    ObjectNode newTimes = reportedTimes.deepCopy();
    if (!StateTrees.merge(newReported, newTimes, patch, at.getEpochSecond())) {
      return Optional.empty();
    }
    return Optional.of(
        new StateDocument(newReported, desired, version + 1, newTimes, desiredTimes));
  }

  /**
   * {@code document} merged into {@code desired} ({@code replace}: {@code desired} made equal to
   * it), or empty when it changes nothing.
   */
  Optional<StateDocument> withDesired(ObjectNode document, boolean replace, Instant at) {
    ObjectNode newDesired = desired.deepCopy();
    ObjectNode newTimes = desiredTimes.deepCopy();
    long time = at.getEpochSecond();
    ObjectNode patch = replace ? StateTrees.replacement(desired, document) : document;
    if (!StateTrees.merge(newDesired, newTimes, patch, time)) {
      return Optional.empty();
    }
    return Optional.of(
        new StateDocument(reported, newDesired, version + 1, reportedTimes, newTimes));
  }

  /** This document numbered {@code newVersion} (the version its event names). */
  StateDocument atVersion(long newVersion) {
    return newVersion == version
        ? this
        : new StateDocument(reported, desired, newVersion, reportedTimes, desiredTimes);
  }

  /** The leaves of {@code desired} that {@code reported} does not have yet. */
  public ObjectNode delta() {
    return StateTrees.delta(desired, reported);
  }

  /** What the twin answers about its state: the document with its delta and metadata times. */
  Reply.StateView view() {
    ObjectNode metadata = NODES.objectNode();
    metadata.set("reported", StateTrees.shownTimes(reportedTimes));
    metadata.set("desired", StateTrees.shownTimes(desiredTimes));
    return new Reply.StateView(reported, desired, delta(), version, metadata);
  }
}
