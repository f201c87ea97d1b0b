package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Eclipse Paho clients connected the way IBM's device and application libraries connect. */
public final class Paho {
  public static final String DEVICE_USERNAME = "use-token-auth";

  private Paho() {}

  public static MqttClient device(String uri, Device device) throws MqttException {
    return connect(uri, clientId(device), DEVICE_USERNAME, device.token(), null);
  }

  /** A message as a client received it. */
  record Received(String topic, String payload, int qos) {}

  /**
   * A client whose received messages (and lost connection) are collected, connected with {@code
   * cleanSession}; {@link Inbox#sessionPresent()} is the CONNACK's flag.
   */
  static Inbox inbox(
      String uri, String clientId, String username, String password, boolean cleanSession)
      throws MqttException {
    MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
    client.setTimeToWait(Duration.ofSeconds(20).toMillis());
    Inbox inbox = new Inbox(client);
    client.setCallback(inbox);
    MqttConnectOptions options = options(username, password, null);
    options.setCleanSession(cleanSession);
    try {
      inbox.sessionPresent = client.connectWithResult(options).getSessionPresent();
    } catch (MqttException e) {
      client.close(true);
      throw e;
    }
    return inbox;
  }

  static Inbox deviceInbox(String uri, Device device, boolean cleanSession) throws MqttException {
    return inbox(uri, clientId(device), DEVICE_USERNAME, device.token(), cleanSession);
  }

  static Inbox applicationInbox(String uri, ApiKey apiKey, String appId) throws MqttException {
    return inbox(uri, "a:" + apiKey.org() + ":" + appId, apiKey.key(), apiKey.token(), true);
  }

  /** A connected client and what it received, in order. */
  static final class Inbox implements MqttCallback, AutoCloseable {
    final MqttClient client;
    final LinkedBlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    final CountDownLatch lost = new CountDownLatch(1);
    boolean sessionPresent;

    Inbox(MqttClient client) {
      this.client = client;
    }

    Inbox subscribe(String filter, int qos) throws MqttException {
      int[] granted =
          client.subscribeWithResponse(new String[] {filter}, new int[] {qos}).getGrantedQos();
      if (granted[0] != qos) {
        throw new AssertionError("granted " + granted[0] + " for " + filter);
      }
      return this;
    }

    /** The next message, failing when none comes within {@code timeout}. */
    Received next(Duration timeout) throws InterruptedException {
      Received message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (message == null) {
        throw new AssertionError(client.getClientId() + " received nothing within " + timeout);
      }
      return message;
    }

    /** The next message whose topic ends with {@code suffix}, skipping others. */
    Received next(Duration timeout, Predicate<Received> which) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        Received message = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
        if (message == null) {
          throw new AssertionError(
              client.getClientId() + ": no matching message within " + timeout);
        }
        if (which.test(message)) {
          return message;
        }
      }
    }

    boolean lostWithin(Duration timeout) throws InterruptedException {
      return lost.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void connectionLost(Throwable cause) {
      lost.countDown();
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      messages.add(
          new Received(
              topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos()));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {}

    @Override
    public void close() {
      closeQuietly(client);
    }
  }

  static MqttClient application(String uri, ApiKey apiKey, String appId) throws MqttException {
    return connect(uri, "a:" + apiKey.org() + ":" + appId, apiKey.key(), apiKey.token(), null);
  }

  public static String clientId(Device device) {
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
  public static void assertNotAuthorized(
      String uri, String clientId, String username, String password) {
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

  public static void closeQuietly(MqttClient client) {
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
