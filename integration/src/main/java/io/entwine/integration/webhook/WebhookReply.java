package io.entwine.integration.webhook;

import io.entwine.integration.RejectedReply;
import io.entwine.integration.RememberedStreamEntities;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import java.util.Set;

/** Every answer of the webhook entities; the HTTP layer maps them in one place. */
public sealed interface WebhookReply extends CborSerializable {

  record Done() implements WebhookReply {}

  record Rejected(Rejection reason, String message) implements WebhookReply, RejectedReply {}

  /** A webhook as stored (secret and header values sealed); {@code paused} null unless paused. */
  record Found(WebhookConfig config, Instant created, Instant updated, String paused)
      implements WebhookReply {}

  record Status(String id, WebhookStatus status)
      implements WebhookReply, RememberedStreamEntities.StatusReply {}

  /** The ids of an organization's webhooks. */
  record Directory(Set<String> ids) implements WebhookReply {}
}
