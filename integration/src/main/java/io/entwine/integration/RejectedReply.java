package io.entwine.integration;

import io.entwine.protocol.Rejection;

/**
 * An integration or bridge entity's refusal: why, and a message for the caller. The HTTP layer
 * turns every one into the same error response.
 */
public interface RejectedReply {
  Rejection reason();

  String message();
}
