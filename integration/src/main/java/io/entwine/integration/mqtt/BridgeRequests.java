package io.entwine.integration.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.integration.InvalidRequest;
import io.entwine.integration.script.ConverterException;
import io.entwine.integration.script.ScriptLimits;
import io.entwine.integration.script.UplinkConverter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttTopic;

/**
 * Checks a bridge creation request, {@code {"url", "username"?, "password"?, "clientId", "topics":
 * [{"filter", "qos"}], "uplinkConverter": {"script"}, "allowCreateDevices"?}}, and says precisely
 * what is wrong with it. Nothing is encrypted or stored here.
 */
public final class BridgeRequests {
  /** Paho's schemes, and the {@code mqtt://} / {@code mqtts://} spellings users know. */
  private static final Map<String, String> SCHEMES =
      Map.of("tcp", "tcp", "mqtt", "tcp", "ssl", "ssl", "mqtts", "ssl");

  private static final Set<String> FIELDS =
      Set.of(
          "url",
          "username",
          "password",
          "clientId",
          "topics",
          "uplinkConverter",
          "allowCreateDevices");

  static final int MAX_CLIENT_ID_CHARS = 128;
  static final int MAX_TOPICS = 100;

  private BridgeRequests() {}

  /** A request that passed every check; {@code password} still in the clear. */
  public record Valid(
      String url,
      String username,
      String password,
      String clientId,
      List<BridgeConfig.Topic> topics,
      String uplinkScript,
      boolean allowCreateDevices) {}

  /** Thrown with a message for the API caller (HTTP 400). */
  public static final class InvalidBridge extends InvalidRequest {
    public InvalidBridge(String message) {
      super(message);
    }
  }

  public static Valid check(ObjectNode body) throws InvalidBridge {
    for (var names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidBridge("Unknown field '" + name + "'; a bridge has " + FIELDS);
      }
    }
    String url = brokerUrl(requiredText(body, "url"));
    String username = optionalText(body, "username");
    String password = optionalText(body, "password");
    if (password != null && username == null) {
      throw new InvalidBridge("'password' needs a 'username'");
    }
    String clientId = clientId(requiredText(body, "clientId"));
    List<BridgeConfig.Topic> topics = topics(body.get("topics"));
    String script = script(body.get("uplinkConverter"));
    JsonNode allow = body.get("allowCreateDevices");
    if (allow != null && !allow.isNull() && !allow.isBoolean()) {
      throw new InvalidBridge("'allowCreateDevices' must be true or false");
    }
    return new Valid(
        url,
        username,
        password,
        clientId,
        topics,
        script,
        allow != null && allow.isBoolean() && allow.booleanValue());
  }

  /** The broker URL in Paho's form ({@code tcp://host:port} or {@code ssl://host:port}). */
  static String brokerUrl(String url) throws InvalidBridge {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new InvalidBridge("'url' is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme == null || !SCHEMES.containsKey(scheme)) {
      throw new InvalidBridge(
          "'url' must be tcp://host:port, mqtt://host:port, ssl://host:port or"
              + " mqtts://host:port; got '"
              + url
              + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new InvalidBridge("'url' names no broker host: '" + url + "'");
    }
    if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new InvalidBridge(
          "'url' must be only scheme://host:port (credentials go in 'username' and"
              + " 'password'): '"
              + url
              + "'");
    }
    String paho = SCHEMES.get(scheme);
    int port = uri.getPort() == -1 ? (paho.equals("ssl") ? 8883 : 1883) : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new InvalidBridge("'url' port must be 1 to 65535: '" + url + "'");
    }
    // an IPv6 host keeps its brackets in URI.getHost()
    return paho + "://" + uri.getHost() + ":" + port;
  }

  private static String clientId(String clientId) throws InvalidBridge {
    if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_CHARS) {
      throw new InvalidBridge("'clientId' must be 1 to " + MAX_CLIENT_ID_CHARS + " characters");
    }
    if (clientId.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidBridge("'clientId' must not contain control characters");
    }
    return clientId;
  }

  private static List<BridgeConfig.Topic> topics(JsonNode topics) throws InvalidBridge {
    if (topics == null || !topics.isArray() || topics.isEmpty()) {
      throw new InvalidBridge("'topics' must be a non-empty array of {\"filter\", \"qos\"}");
    }
    if (topics.size() > MAX_TOPICS) {
      throw new InvalidBridge("'topics' has more than " + MAX_TOPICS + " entries");
    }
    List<BridgeConfig.Topic> checked = new ArrayList<>();
    for (int i = 0; i < topics.size(); i++) {
      JsonNode topic = topics.get(i);
      String at = "topics[" + i + "]";
      if (!topic.isObject() || !topic.path("filter").isTextual()) {
        throw new InvalidBridge(at + " must be {\"filter\": \"a/+/topic/#\", \"qos\": 0|1|2}");
      }
      String filter = topic.get("filter").textValue();
      checkFilter(at, filter);
      JsonNode qos = topic.get("qos");
      if (qos == null || qos.isNull()) {
        checked.add(new BridgeConfig.Topic(filter, 1));
      } else if (qos.isInt() && qos.intValue() >= 0 && qos.intValue() <= 2) {
        checked.add(new BridgeConfig.Topic(filter, qos.intValue()));
      } else {
        throw new InvalidBridge(at + ".qos must be 0, 1 or 2");
      }
    }
    return List.copyOf(checked);
  }

  static void checkFilter(String at, String filter) throws InvalidBridge {
    if (filter.isEmpty()) {
      throw new InvalidBridge(at + ".filter is empty");
    }
    if (filter.getBytes(StandardCharsets.UTF_8).length > 65535) {
      throw new InvalidBridge(at + ".filter is longer than 65535 bytes");
    }
    try {
      MqttTopic.validate(filter, true);
    } catch (IllegalArgumentException e) {
      throw new InvalidBridge(
          at
              + ".filter '"
              + filter
              + "' is not an MQTT topic filter ('+' and '#' must fill a whole level, '#' only"
              + " last): "
              + e.getMessage());
    }
  }

  private static String script(JsonNode converter) throws InvalidBridge {
    if (converter == null || !converter.isObject() || !converter.path("script").isTextual()) {
      throw new InvalidBridge("'uplinkConverter' must be {\"script\": \"JavaScript decoder\"}");
    }
    String script = converter.get("script").textValue();
    try {
      UplinkConverter.compile(script, ScriptLimits.DEFAULT);
    } catch (ConverterException e) {
      throw new InvalidBridge("'uplinkConverter.script' does not compile: " + e.getMessage());
    }
    return script;
  }

  private static String requiredText(ObjectNode body, String field) throws InvalidBridge {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.textValue().isBlank()) {
      throw new InvalidBridge("'" + field + "' is required (a non-empty string)");
    }
    return value.textValue().strip();
  }

  private static String optionalText(ObjectNode body, String field) throws InvalidBridge {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidBridge("'" + field + "' must be a string");
    }
    return value.textValue();
  }
}
