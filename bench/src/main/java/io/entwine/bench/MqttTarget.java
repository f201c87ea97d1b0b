package io.entwine.bench;

import io.vertx.mqtt.MqttClientOptions;
import java.util.Locale;

/**
 * The broker under load and how the load generator addresses it. Both brokers receive the same
 * CONNECT (client id {@code d:ORG:bench:ID}, user {@code use-token-auth}, the device's token) and
 * the same payload; only the device's publish topic differs: Entwine derives the device from the
 * connection ({@code iot-2/evt/…}), while Mosquitto, which knows no devices, gets the topic an
 * Entwine application sees ({@code iot-2/type/bench/id/ID/evt/…}), so one application filter
 * matches on both.
 *
 * @param apiKey the application's API key on Entwine; {@code null} for the reference broker, which
 *     accepts anyone
 */
record MqttTarget(int port, String org, String apiKey, String apiToken) {
  static final String DEVICE_TYPE = "bench";
  static final String APPLICATION_FILTER = "iot-2/type/+/id/+/evt/+/fmt/+";

  /** Where an Entwine device publishes patches of its twin's reported state. */
  static final String REPORTED_TOPIC = "iot-2/state/reported";

  static MqttTarget from(Args args) {
    return new MqttTarget(
        args.integer("port", 1883),
        args.text("org", "bench"),
        args.text("api-key", null),
        args.text("api-token", null));
  }

  static String deviceId(int device) {
    return String.format(Locale.ROOT, "d%05d", device);
  }

  static String deviceToken(int device) {
    return "bench-token-" + deviceId(device);
  }

  boolean isEntwine() {
    return apiKey != null;
  }

  MqttClientOptions device(int device) {
    return new MqttClientOptions()
        .setClientId("d:" + org + ":" + DEVICE_TYPE + ":" + deviceId(device))
        .setUsername("use-token-auth")
        .setPassword(deviceToken(device));
  }

  MqttClientOptions application(String name) {
    return new MqttClientOptions()
        .setClientId("a:" + org + ":" + name)
        .setUsername(isEntwine() ? apiKey : "bench-application")
        .setPassword(isEntwine() ? apiToken : "bench-application");
  }

  String eventTopic(int device) {
    return isEntwine()
        ? "iot-2/evt/status/fmt/json"
        : "iot-2/type/" + DEVICE_TYPE + "/id/" + deviceId(device) + "/evt/status/fmt/json";
  }
}
