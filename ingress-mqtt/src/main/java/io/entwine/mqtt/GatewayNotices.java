package io.entwine.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IBM's gateway notifications (Watson IoT Platform documentation, MQTT connectivity for gateways,
 * "Gateway notifications"): when a gateway's publish is refused — a topic it may not publish to, a
 * device it may not act for, a device that cannot be registered for it — a gateway subscribed to
 * {@code iot-2/type/{type}/id/{id}/notify} receives {@code {"Request","Time","Topic","Type","Id",
 * "Client","RC","Message"}} there, and the publish is taken without being recorded.
 *
 * <p>IBM lists the notifications but publishes no table of their {@code RC} values; Entwine uses
 * the HTTP status its REST API answers for the same refusal.
 */
final class GatewayNotices {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DEVICE_TOPIC = Pattern.compile("^iot-2/type/([^/]+)/id/([^/]+)/");

  /** The return code of a topic that matches none of a gateway's topics. */
  static final int INVALID_TOPIC = 400;

  private GatewayNotices() {}

  /** IBM's notification of a refused publish to {@code topic}. */
  static byte[] publishRefused(
      String topic, String clientId, int rc, String message, Instant time) {
    ObjectNode notice =
        JSON.createObjectNode()
            .put("Request", "publish")
            .put("Time", time.toString())
            .put("Topic", topic);
    Matcher device = DEVICE_TOPIC.matcher(topic);
    if (device.find()) {
      notice.put("Type", device.group(1)).put("Id", device.group(2));
    }
    notice.put("Client", clientId).put("RC", rc).put("Message", message);
    try {
      return JSON.writeValueAsBytes(notice);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The return code of a device's refusal of a gateway's event. */
  static int returnCode(Rejection reason) {
    return switch (reason) {
      case FORBIDDEN, DISABLED, UNAUTHORIZED -> 403;
      case TOO_LARGE -> 413;
      case NOT_FOUND -> 404;
      case INVALID -> 400;
      case LIMIT_EXCEEDED -> 429;
      default -> 500;
    };
  }
}
