package io.entwine.integration;

/**
 * A create or replace request of a bridge or webhook that fails a check, with a message for the API
 * caller (HTTP 400).
 */
public class InvalidRequest extends Exception {
  public InvalidRequest(String message) {
    super(message);
  }
}
