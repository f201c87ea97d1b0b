package io.entwine.protocol;

/** Why an entity refused a command; the ingresses map each to their protocol's status code. */
public enum Rejection {
  NOT_FOUND,
  ALREADY_EXISTS,
  UNAUTHORIZED,
  FORBIDDEN,
  INVALID,
  /** A bound was reached (e.g. the device's command queue is full); retry later. */
  LIMIT_EXCEEDED
}
