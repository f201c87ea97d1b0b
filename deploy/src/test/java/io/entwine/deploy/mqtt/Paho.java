package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Eclipse Paho clients connected the way IBM's device and application libraries connect. */
final class Paho {
  static final String DEVICE_USERNAME = "use-token-auth";

  private Paho() {}

  static MqttClient device(String uri, Device device) throws MqttException {
    return connect(uri, clientId(device), DEVICE_USERNAME, device.token(), null);
  }

  static MqttClient application(String uri, ApiKey apiKey, String appId) throws MqttException {
    return connect(uri, "a:" + apiKey.org() + ":" + appId, apiKey.key(), apiKey.token(), null);
  }

  static String clientId(Device device) {
    return "d:" + device.org() + ":" + device.type() + ":" + device.id();
  }

  static MqttClient connect(
      String uri, String clientId, String username, String password, SocketFactory sockets)
      throws MqttException {
    MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
    client.setTimeToWait(Duration.ofSeconds(20).toMillis());
    try {
      client.connect(options(username, password, sockets));
    } catch (MqttException e) {
      client.close(true);
      throw e;
    }
    return client;
  }

  static MqttConnectOptions options(String username, String password, SocketFactory sockets) {
    MqttConnectOptions options = new MqttConnectOptions();
    // without this Paho retries a refused 3.1.1 CONNECT as MQTT 3.1
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(true);
    options.setConnectionTimeout(20);
    options.setUserName(username);
    options.setPassword(password.toCharArray());
    if (sockets != null) {
      options.setSocketFactory(sockets);
    }
    return options;
  }

  /** Asserts that the node refuses this CONNECT with return code 5, "not authorized". */
  static void assertNotAuthorized(String uri, String clientId, String username, String password) {
    MqttException refused =
        assertThrows(MqttException.class, () -> connect(uri, clientId, username, password, null));
    assertEquals(
        MqttException.REASON_CODE_NOT_AUTHORIZED, refused.getReasonCode(), refused.toString());
  }

  static MqttMessage message(String payload, int qos) {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(qos);
    return message;
  }

  /** Waits until the node has closed the client's connection. */
  static void awaitDisconnected(MqttClient client) {
    TestNode.awaitValue(Duration.ofSeconds(10), client::isConnected, connected -> !connected);
  }

  static void closeQuietly(MqttClient client) {
    try {
      if (client.isConnected()) {
        client.disconnect(1000);
      }
      client.close(true);
    } catch (MqttException e) {
      // already gone
    }
  }
}
