package io.entwine.http.server;

import com.typesafe.config.Config;

/**
 * Settings of the HTTP ingress from {@code entwine.http} and {@code entwine.domain}.
 *
 * @param domain requests to {@code ORG.domain} (any depth) address organization {@code ORG}
 * @param adminToken the operator's bearer token
 */
public record HttpSettings(
    String interfaceName, int port, String domain, String adminToken, int maxEventPayloadBytes) {

  public static HttpSettings from(Config root) {
    Config config = root.getConfig("entwine.http");
    return new HttpSettings(
        config.getString("interface"),
        config.getInt("port"),
        root.getString("entwine.domain").toLowerCase(java.util.Locale.ROOT),
        root.getString("entwine.admin-token"),
        config.getInt("max-event-payload-bytes"));
  }
}
