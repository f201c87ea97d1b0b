package io.entwine.deploy.mqtt;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the MQTT ITs whose tests each use one client at a time, in {@link #client}: it is closed
 * after each test, passed or failed, so that no connection outlives its test.
 */
abstract class WithMqttClient {
  protected MqttClient client;

  @AfterEach
  void closeClient() {
    if (client != null) {
      Paho.closeQuietly(client);
    }
  }
}
