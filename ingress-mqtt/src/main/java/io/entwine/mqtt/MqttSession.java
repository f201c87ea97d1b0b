package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One authenticated MQTT connection's session: who it is, what it subscribed to and its will.
 * Touched only on the connection's event loop. Command and event delivery (issue 3, part 2) reads
 * the subscriptions from here; sessions are not kept after the connection closes yet, so a {@code
 * cleanSession=false} client is served as if it had asked for a clean session.
 */
public final class MqttSession {

  /** Who is connected. */
  public sealed interface Principal permits DevicePrincipal, ApplicationPrincipal {
    String org();
  }

  /** A device, with the token it connected with: every event is checked by its twin with it. */
  public record DevicePrincipal(DeviceKey device, String token) implements Principal {
    @Override
    public String org() {
      return device.org();
    }

    @Override
    public String toString() {
      return "DevicePrincipal[" + device.uuid() + "]";
    }
  }

  /** An application {@code a:org:appId} authenticated with API key {@code apiKey}. */
  public record ApplicationPrincipal(String org, String appId, String apiKey)
      implements Principal {}

  public record Subscription(String filter, Topics.Filter parsed, MqttQoS qos) {}

  /** The will as sent in CONNECT; published only after an ungraceful close (docs/mqtt.md). */
  public record Will(String topic, byte[] payload, MqttQoS qos, boolean retain) {}

  private final String clientId;
  private final Principal principal;
  private final boolean cleanSession;
  private final int protocolVersion;
  private final Instant connectedAt;
  private final Will will;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();

  public MqttSession(
      String clientId,
      Principal principal,
      boolean cleanSession,
      int protocolVersion,
      Instant connectedAt,
      Will will) {
    this.clientId = clientId;
    this.principal = principal;
    this.cleanSession = cleanSession;
    this.protocolVersion = protocolVersion;
    this.connectedAt = connectedAt;
    this.will = will;
  }

  public String clientId() {
    return clientId;
  }

  public Principal principal() {
    return principal;
  }

  public boolean isDevice() {
    return principal instanceof DevicePrincipal;
  }

  public boolean cleanSession() {
    return cleanSession;
  }

  /** 3 for MQTT 3.1, 4 for MQTT 3.1.1. */
  public int protocolVersion() {
    return protocolVersion;
  }

  public Instant connectedAt() {
    return connectedAt;
  }

  public Optional<Will> will() {
    return Optional.ofNullable(will);
  }

  /** Subscriptions by filter text, in the order they were made. */
  public Map<String, Subscription> subscriptions() {
    return Collections.unmodifiableMap(subscriptions);
  }

  /** Adds or replaces (same filter text) a subscription; false when the limit is reached. */
  boolean subscribe(Subscription subscription, int limit) {
    if (!subscriptions.containsKey(subscription.filter()) && subscriptions.size() >= limit) {
      return false;
    }
    subscriptions.put(subscription.filter(), subscription);
    return true;
  }

  void unsubscribe(String filter) {
    subscriptions.remove(filter);
  }
}
