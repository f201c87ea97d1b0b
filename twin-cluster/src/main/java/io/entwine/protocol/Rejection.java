package io.entwine.protocol;

/** Why an entity refused a command; the ingresses map each to their protocol's status code. */
public enum Rejection {
  NOT_FOUND,
  ALREADY_EXISTS,
  UNAUTHORIZED,
  FORBIDDEN,
  INVALID
}
