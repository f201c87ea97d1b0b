package io.entwine.integration;

import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Every answer of the integration entities; the HTTP layer maps them in one place. */
public sealed interface IntegrationReply extends CborSerializable {

  record Done() implements IntegrationReply {}

  record Rejected(Rejection reason, String message) implements IntegrationReply, RejectedReply {}

  /** An integration as stored; security header values are encrypted with the cluster key. */
  record Found(String routingKey, Integration.Settings settings, Instant created, Instant updated)
      implements IntegrationReply {}

  /** An organization's integrations: id → routing key. */
  record Directory(Map<String, String> routingKeys) implements IntegrationReply {}

  record DebugEvents(List<Integration.DebugEvent> events) implements IntegrationReply {}
}
