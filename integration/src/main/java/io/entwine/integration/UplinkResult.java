package io.entwine.integration;

import io.entwine.integration.script.ConverterException;
import io.entwine.integration.script.EncodedDownlink;
import java.util.List;

/** How a sender's message to an HTTP integration ended; the route maps each to a status. */
public sealed interface UplinkResult {
  /** No integration has this routing key (404). */
  record UnknownRoutingKey() implements UplinkResult {}

  /** A security header is missing (401). */
  record MissingHeader(String name) implements UplinkResult {}

  /** A security header has the wrong value (403). */
  record WrongHeader(String name) implements UplinkResult {}

  /** The uplink converter failed (400); the message is the script's error. */
  record ConverterFailed(ConverterException failure) implements UplinkResult {}

  /** The organization's payload limit (413) or message budget (429) refuses the message. */
  record LimitExceeded(int status, String message) implements UplinkResult {}

  /** The converter pool's queue is full (503). */
  record Busy() implements UplinkResult {}

  /** Devices were refused (e.g. unknown while allowCreateDevices is off). */
  record Refused(List<UplinkRecorder.Refusal> refusals) implements UplinkResult {}

  /**
   * Recorded; {@code downlink} is what waited for one of the devices, encoded, or null (204, or 200
   * with {@code replaceNoContentWithOk}).
   */
  record Recorded(EncodedDownlink downlink, boolean replaceNoContentWithOk)
      implements UplinkResult {}
}
