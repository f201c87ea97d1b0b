package io.entwine.http.integrations;

import io.entwine.http.common.Authentication;
import io.entwine.http.common.RememberedStreamRoutes;
import io.entwine.integration.mqtt.BridgeConfig;
import io.entwine.integration.mqtt.BridgeReply;
import io.entwine.integration.mqtt.BridgeRequests;
import io.entwine.integration.mqtt.MqttBridges;
import java.time.Instant;
import java.util.List;

/**
 * MQTT bridges of an organization (API key): {@code POST /api/v0002/bridges/mqtt} creates and
 * starts one (201), {@code GET} lists them or shows one, {@code DELETE .../{id}} stops and forgets
 * it (204), {@code GET .../{id}/status} tells whether it is connected and what it recorded. The
 * broker password is never shown: only whether one is set.
 */
public final class MqttBridgeRoutes
    extends RememberedStreamRoutes<BridgeRequests.Valid, BridgeReply, BridgeReply.Found> {
  public MqttBridgeRoutes(MqttBridges bridges, Authentication authentication) {
    super("/api/v0002/bridges/mqtt", "bridge", bridges, authentication, BridgeRequests::check);
  }

  public record ConverterJson(String script) {}

  public record BridgeJson(
      String id,
      String url,
      String username,
      boolean passwordSet,
      String clientId,
      List<BridgeConfig.Topic> topics,
      ConverterJson uplinkConverter,
      boolean allowCreateDevices,
      Instant created) {}

  @Override
  protected BridgeJson toJson(BridgeReply.Found found) {
    BridgeConfig config = found.config();
    return new BridgeJson(
        config.id(),
        config.url(),
        config.username(),
        config.sealedPassword() != null,
        config.clientId(),
        config.topics(),
        new ConverterJson(config.uplinkScript()),
        config.allowCreateDevices(),
        found.created());
  }
}
