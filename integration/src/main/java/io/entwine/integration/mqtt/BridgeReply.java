package io.entwine.integration.mqtt;

import io.entwine.integration.RejectedReply;
import io.entwine.integration.RememberedStreamEntities;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import java.util.Set;

/** Every answer of the bridge entities; the HTTP layer maps them in one place. */
public sealed interface BridgeReply extends CborSerializable {

  record Done() implements BridgeReply {}

  record Rejected(Rejection reason, String message) implements BridgeReply, RejectedReply {}

  /** A bridge as stored (the password sealed). */
  record Found(BridgeConfig config, Instant created) implements BridgeReply {}

  record Status(String id, BridgeStatus status)
      implements BridgeReply, RememberedStreamEntities.StatusReply {}

  /** The ids of an organization's bridges. */
  record Directory(Set<String> ids) implements BridgeReply {}
}
