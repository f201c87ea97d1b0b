package io.entwine.protocol;

/** Why an entity refused a command; the ingresses map each to their protocol's status code. */
public enum Rejection {
  NOT_FOUND,
  ALREADY_EXISTS,
  UNAUTHORIZED,
  FORBIDDEN,
  /** The device is registered but disabled (IBM: 403; Hono: 404). */
  DISABLED,
  INVALID,
  /** The result would exceed a size limit (e.g. a state document over 32 KiB; HTTP 413). */
  TOO_LARGE,
  /** A bound was reached (e.g. the device's command queue is full); retry later. */
  LIMIT_EXCEEDED,
  /** Nobody can take the message now (e.g. no application waits for a command response). */
  UNAVAILABLE,
  /** A wait ended without an answer (e.g. a command expired before it was delivered). */
  TIMED_OUT
}
