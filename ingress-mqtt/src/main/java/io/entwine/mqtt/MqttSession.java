package io.entwine.mqtt;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One authenticated MQTT connection's session: who it is, what it subscribed to and its will.
 * Touched only on the connection's event loop. A persistent session's subscriptions are also stored
 * in the client id's {@link ClientSession} so that the next connection, on any node, resumes them.
 */
public final class MqttSession {

  /** Who is connected. */
  public sealed interface Principal
      permits DevicePrincipal, GatewayPrincipal, ApplicationPrincipal {
    String org();

    /** The twin this client takes commands from: its device's or its gateway's; null for apps. */
    default DeviceKey twin() {
      return null;
    }
  }

  /** A device, with the token it connected with: every event is checked by its twin with it. */
  public record DevicePrincipal(DeviceKey device, String token) implements Principal {
    @Override
    public String org() {
      return device.org();
    }

    @Override
    public DeviceKey twin() {
      return device;
    }

    @Override
    public String toString() {
      return "DevicePrincipal[" + device.uuid() + "]";
    }
  }

  /**
   * A gateway, with the token it connected with: its own events are checked by its twin with it;
   * those of the devices it acts for by theirs, against their {@code via} (docs/adr/0057).
   */
  public record GatewayPrincipal(DeviceKey gateway, String token) implements Principal {
    @Override
    public String org() {
      return gateway.org();
    }

    @Override
    public DeviceKey twin() {
      return gateway;
    }

    @Override
    public String toString() {
      return "GatewayPrincipal[" + gateway.uuid() + "]";
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

  public boolean isGateway() {
    return principal instanceof GatewayPrincipal;
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

  /** True when there was a subscription with this filter text. */
  boolean unsubscribe(String filter) {
    return subscriptions.remove(filter) != null;
  }

  /**
   * True when a device or gateway holds a subscription to what its twin pushes: commands, a
   * device's delta.
   */
  boolean takesFromTwin() {
    return subscriptions.values().stream()
        .anyMatch(
            s ->
                s.parsed() instanceof Topics.CommandFilter
                    || s.parsed() instanceof GatewayTopics.CommandFilter
                    || s.parsed() instanceof Topics.StateDeltaFilter);
  }

  /**
   * The subscription a live message is delivered through: of those matching it, the one with the
   * highest QoS (the first made among equals); null when none matches. A message is delivered once
   * per connection, however many of its subscriptions match (MQTT 3.1.1 section 3.3.5).
   */
  Subscription deliveringLive(LiveMessage message) {
    return deliveringLive(subscriptions.values(), message);
  }

  /**
   * Of {@code subscriptions}, the one {@code message} goes out through: the matching one with the
   * highest QoS (the first among equals), or null when none matches.
   */
  static Subscription deliveringLive(Iterable<Subscription> subscriptions, LiveMessage message) {
    Subscription best = null;
    for (Subscription s : subscriptions) {
      if (Topics.matches(s.parsed(), message)
          && (best == null || s.qos().value() > best.qos().value())) {
        best = s;
      }
    }
    return best;
  }

  /** Like {@link #deliveringLive}, for a device's command {@code command} in {@code format}. */
  Subscription deliveringCommand(String command, String format) {
    return deliveringTo(filter -> Topics.matches(filter, command, format));
  }

  /** Like {@link #deliveringLive}, for a message the filters {@code selecting} accepts take. */
  Subscription deliveringTo(Predicate<Topics.Filter> selecting) {
    Subscription best = null;
    for (Subscription s : subscriptions.values()) {
      if (selecting.test(s.parsed()) && (best == null || s.qos().value() > best.qos().value())) {
        best = s;
      }
    }
    return best;
  }
}
