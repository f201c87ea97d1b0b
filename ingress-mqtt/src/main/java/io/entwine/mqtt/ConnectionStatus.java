package io.entwine.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.mqtt.MqttSession.ApplicationPrincipal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The status documents IBM publishes when a client connects or disconnects (IBM IoT Foundation MQTT
 * documentation, Applications: device status and application status), on {@code
 * iot-2/type/T/id/I/mon} for a device and {@code iot-2/app/APP/mon} for an application. The field
 * names are IBM's; {@code DroppedMsg} (messages dropped from full subscription buffers) is
 * Entwine's own addition.
 */
final class ConnectionStatus {
  static final String CONNECT = "Connect";
  static final String DISCONNECT = "Disconnect";

  static final String REASON_NORMAL = "The connection has completed normally.";
  static final String REASON_LOST =
      "The connection was closed by the client or the network without DISCONNECT.";
  static final String REASON_TAKEN_OVER =
      "Another connection with the same client id took over the session.";
  static final String REASON_SHUTDOWN = "The server is shutting down.";
  static final String REASON_CLOSED_BY_SERVER = "The server closed the connection: ";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What stays the same for the life of one connection. */
  record Connection(
      String clientId,
      String clientAddr,
      int port,
      String protocol,
      String user,
      Instant connectTime) {}

  /** Traffic of one connection: MQTT bytes and PUBLISH packets in each direction. */
  record Traffic(long readBytes, long readMsg, long writeBytes, long writeMsg, long droppedMsg) {}

  private ConnectionStatus() {}

  /** IBM's protocol name: {@code mqtt4-tcp}, {@code mqtt3-tls}, {@code mqtt4-ws}, ... */
  static String protocol(int protocolVersion, String listener, boolean tls) {
    String transport =
        MqttListeners.WEBSOCKET.equals(listener) ? (tls ? "wss" : "ws") : (tls ? "tls" : "tcp");
    return "mqtt" + protocolVersion + "-" + transport;
  }

  static LiveMessage connected(MqttSession.Principal principal, Connection connection, Instant at) {
    return message(principal, common(CONNECT, connection, at));
  }

  static LiveMessage disconnected(
      MqttSession.Principal principal,
      Connection connection,
      Instant at,
      String reason,
      Traffic traffic) {
    ObjectNode status = common(DISCONNECT, connection, at);
    status.put("Reason", reason);
    status.put("ReadBytes", traffic.readBytes());
    status.put("ReadMsg", traffic.readMsg());
    status.put("WriteBytes", traffic.writeBytes());
    status.put("WriteMsg", traffic.writeMsg());
    status.put("DroppedMsg", traffic.droppedMsg());
    return message(principal, status);
  }

  private static ObjectNode common(String action, Connection connection, Instant at) {
    ObjectNode status = JSON.createObjectNode();
    status.put("Action", action);
    status.put("Time", at.toString());
    status.put("ClientAddr", connection.clientAddr());
    status.put("ClientID", connection.clientId());
    status.put("Port", connection.port());
    status.put("Protocol", connection.protocol());
    status.put("User", connection.user());
    status.put("ConnectTime", connection.connectTime().toString());
    return status;
  }

  private static LiveMessage message(MqttSession.Principal principal, ObjectNode status) {
    byte[] payload = status.toString().getBytes(StandardCharsets.UTF_8);
    DeviceKey key = principal.twin();
    if (key != null) {
      // a gateway's status is that of the device it is registered as
      return new LiveMessage.DeviceStatus(key.org(), key.type(), key.id(), payload);
    }
    ApplicationPrincipal app = (ApplicationPrincipal) principal;
    return new LiveMessage.ApplicationStatus(app.org(), app.appId(), payload);
  }
}
