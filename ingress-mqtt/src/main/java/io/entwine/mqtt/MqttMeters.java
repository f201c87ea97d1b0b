package io.entwine.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.util.Locale;

/**
 * The MQTT endpoint's counters (docs/operations.md, "Metrics"), all registered when the endpoint
 * starts so that counting a packet is an array index and an add: packets received and sent per
 * type, CONNECTs refused per CONNACK return code, and live messages dropped from full subscription
 * buffers.
 */
final class MqttMeters {
  private final Counter[] received;
  private final Counter[] sent;
  private final Counter[] refused;
  private final Counter dropped;
  private final PacketCounter packets = new PacketCounter(this);

  MqttMeters(MeterRegistry registry) {
    MqttMessageType[] types = MqttMessageType.values();
    received = new Counter[types.length];
    sent = new Counter[types.length];
    for (MqttMessageType type : types) {
      String name = type.name().toLowerCase(Locale.ROOT);
      received[type.ordinal()] =
          Counter.builder("entwine.mqtt.packets.received")
              .description("MQTT packets this node read from clients, per packet type")
              .tag("type", name)
              .register(registry);
      sent[type.ordinal()] =
          Counter.builder("entwine.mqtt.packets.sent")
              .description("MQTT packets this node wrote to clients, per packet type")
              .tag("type", name)
              .register(registry);
    }
    MqttConnectReturnCode[] codes = MqttConnectReturnCode.values();
    refused = new Counter[codes.length];
    for (MqttConnectReturnCode code : codes) {
      // MQTT 3.1.1's refusals, return codes 1 to 5 (section 3.2.2.3); the endpoint speaks no 5.0
      if (code.byteValue() >= 1 && code.byteValue() <= 5) {
        refused[code.ordinal()] =
            Counter.builder("entwine.mqtt.connects.refused")
                .description("CONNECTs this node refused, per CONNACK return code")
                .tag("reason", reason(code))
                .register(registry);
      }
    }
    dropped =
        Counter.builder("entwine.mqtt.subscription.dropped")
            .description(
                "Live messages dropped, oldest first, from full subscription buffers of"
                    + " connections that have closed")
            .register(registry);
  }

  /** Counts the packets of {@code channel}, whose CONNECT was just read. */
  void countPackets(Channel channel) {
    packets.install(channel);
  }

  void received(MqttMessageType type) {
    received[type.ordinal()].increment();
  }

  void sent(MqttMessageType type) {
    sent[type.ordinal()].increment();
  }

  void refused(MqttConnectReturnCode code) {
    Counter counter = refused[code.ordinal()];
    if (counter != null) {
      counter.increment();
    }
  }

  void dropped(long messages) {
    if (messages > 0) {
      dropped.increment(messages);
    }
  }

  /**
   * The return code's name without its prefix: {@code not_authorized}, {@code server_unavailable}.
   */
  static String reason(MqttConnectReturnCode code) {
    return code.name()
        .toLowerCase(Locale.ROOT)
        .replaceFirst("^connection_refused_", "")
        .replaceFirst("^connection_", "");
  }
}
