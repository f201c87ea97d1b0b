package io.entwine.integration;

import java.util.Map;

/**
 * An integration as the API creates or replaces it. {@code securityHeaders} holds plain values
 * (they are encrypted before they are stored); null keeps the stored ones on an update. {@code
 * downlinkScript} is null without a downlink converter.
 */
public record IntegrationSpec(
    String name,
    String type,
    String uplinkScript,
    String downlinkScript,
    boolean allowCreateDevices,
    Map<String, String> securityHeaders,
    boolean replaceNoContentWithOk,
    boolean debug) {
  public static final String HTTP = "HTTP";
}
