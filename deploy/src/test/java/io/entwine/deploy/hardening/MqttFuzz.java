package io.entwine.deploy.hardening;

import static io.entwine.mqtt.MqttFrames.packet;
import static io.entwine.mqtt.MqttFrames.remainingLength;
import static io.entwine.mqtt.MqttFrames.string;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;

/**
 * Seeded generator of malformed MQTT 3.1.1 input, written byte by byte (a client library would
 * refuse to send most of it): broken fixed headers and remaining lengths, CONNECT variants, packets
 * before CONNECT, and after a valid CONNECT (sent first, its CONNACK awaited) bad PUBLISH,
 * SUBSCRIBE and reserved packets, bad topics and UTF-8, oversize and truncated packets, random
 * bytes.
 */
final class MqttFuzz {
  /** {@code connect} (may be null) goes first and its CONNACK is read, then {@code bytes}. */
  record Input(String category, byte[] connect, byte[] bytes) {}

  /**
   * {@code sessionDevice} is the device every input after a valid CONNECT connects as; every other
   * CONNECT names {@code device}, so that no CONNECT takes over another client's session.
   */
  record Fixture(
      String org,
      String type,
      String sessionDevice,
      String device,
      String deviceToken,
      String apiKey,
      String apiToken) {}

  private final Fixture f;
  private final Random random;
  private final Set<String> skipped;

  MqttFuzz(Fixture fixture, Random random, Set<String> skipped) {
    this.f = fixture;
    this.random = random;
    this.skipped = skipped;
  }

  Input next() {
    while (true) {
      Input input =
          switch (random.nextInt(10)) {
            case 0, 1, 2 -> badConnect();
            case 3 -> beforeConnect();
            case 4 -> new Input("random-bytes", null, randomBytes(1 + random.nextInt(200)));
            default -> afterConnect();
          };
      if (skipped.stream().noneMatch(input.category::contains)) {
        return input;
      }
    }
  }

  private Input badConnect() {
    String clientId = clientId();
    byte[] user = utf8("use-token-auth");
    byte[] password = utf8(f.deviceToken);
    return switch (random.nextInt(12)) {
      case 0 ->
          input(
              "connect-protocol",
              connect(pick("MQTX", "", "MQIsdp", "mqtt"), 4, 0xC2, clientId, user, password));
      case 1 ->
          input(
              "connect-level", connect("MQTT", pick(0, 2, 5, 255), 0xC2, clientId, user, password));
      case 2 ->
          input(
              "connect-flags",
              connect(
                  "MQTT",
                  4,
                  pick(0xC3, 0x42, 0x82, 0xDE, 0x3A, 0x24, 0xFF),
                  clientId,
                  user,
                  password));
      case 3 ->
          input(
              "connect-client-id",
              connect(
                  "MQTT",
                  4,
                  pick(0xC2, 0xC0),
                  pick(
                      "",
                      "d:" + f.org + ":" + f.type,
                      "d:nosuch:t:x",
                      "a:" + f.org + ":",
                      "g:" + f.org + ":t:x",
                      "x".repeat(30_000),
                      "d:" + f.org + ":" + f.type + ":" + "i".repeat(40),
                      "\u0000",
                      "d:"
                          + f.org.toUpperCase(java.util.Locale.ROOT)
                          + ":"
                          + f.type
                          + ":"
                          + f.device),
                  user,
                  password));
      case 4 ->
          input(
              "connect-utf8",
              connectRaw(
                  "MQTT",
                  4,
                  0xC2,
                  pickBytes(
                      new byte[] {(byte) 0xC0, (byte) 0x80},
                      new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                      new byte[] {0, 0},
                      new byte[] {(byte) 0xFF}),
                  user,
                  password));
      // a wrong secret for an existing identity costs a slow hash: those get an empty one only
      case 5 ->
          input(
              "connect-credentials",
              random.nextBoolean()
                  ? connect(
                      "MQTT", 4, 0xC2, clientId, utf8(pick("use-token-auth", f.apiKey)), utf8(""))
                  : connect(
                      "MQTT",
                      4,
                      0xC2,
                      clientId,
                      utf8(pick("", "a-" + f.org + "-nokey", "\u00e9")),
                      utf8(pick("", "x", "p".repeat(70)))));
      case 6 -> input("connect-truncated", cut(connect("MQTT", 4, 0xC2, clientId, user, password)));
      case 7 ->
          input(
              "connect-length",
              withLength(
                  connect("MQTT", 4, 0xC2, clientId, user, password),
                  pick(0, 1, 5, 10_000, 268_435_455)));
      case 8 -> input("connect-twice", concat(validConnect(f.device), validConnect(f.device)));
      case 9 ->
          input("connect-keepalive", keepAlive(connect("MQTT", 4, 0xC2, clientId, user, password)));
      case 10 ->
          input(
              "connect-app",
              connect(
                  "MQTT",
                  4,
                  0xC2,
                  "a:" + f.org + ":fz" + random.nextInt(4),
                  utf8(f.apiKey),
                  utf8(pick(f.apiToken, "")))); // "" refused, cheap
      default -> input("connect-no-password", connect("MQTT", 4, 0x82, clientId, user, null));
    };
  }

  private Input beforeConnect() {
    byte[] packet =
        pickBytes(
            publish(0x30, "iot-2/evt/status/fmt/json", -1, utf8("{}")),
            subscribe(1, "iot-2/cmd/+/fmt/+", 0),
            new byte[] {(byte) 0xC0, 0},
            new byte[] {(byte) 0xE0, 0},
            new byte[] {0x20, 2, 0, 0},
            new byte[] {0x40, 2, 0, 1});
    return input("before-connect", packet);
  }

  private Input afterConnect() {
    String own = "iot-2/evt/" + pick("status", "e") + "/fmt/" + pick("json", "txt", "bin");
    byte[] packet =
        switch (random.nextInt(14)) {
          case 0 -> publish(0x36, own, 1, utf8("{}")); // QoS 3
          case 1 ->
              publish(
                  0x32,
                  pick(
                      "#",
                      "+",
                      "iot-2/evt/+/fmt/json",
                      "",
                      "a\u0000b",
                      "iot-2/type/x/id/y/evt/e/fmt/json",
                      "iot-2/evt//fmt/json",
                      "/".repeat(300)),
                  1,
                  utf8("{}"));
          case 2 ->
              publishRawTopic(
                  pickBytes(
                      new byte[] {(byte) 0xC0, (byte) 0x80},
                      new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                      new byte[] {(byte) 0xFE}));
          case 3 -> publish(0x32, own, 0, utf8("{}")); // packet id 0
          case 4 ->
              publish(
                  0x32,
                  "iot-2/evt/status/fmt/json",
                  7,
                  pickBytes(
                      utf8("{"),
                      utf8("{\"d\":1e99999}"),
                      new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'},
                      randomBytes(50),
                      utf8("[".repeat(5_000))));
          case 5 ->
              random.nextInt(20) == 0
                  ? publish(0x30, own, -1, new byte[131_073 + random.nextInt(10_000)])
                  : publish(0x39, own, -1, utf8("{\"d\":{}}")); // QoS 0 with DUP, retain
          case 6 ->
              subscribe(
                  pick(0, 1),
                  pick(
                      "", "a/#/b", "+x", "#", "iot-2/cmd/+/fmt/+", "iot-2/type/+/id/+/evt/+/fmt/+"),
                  pick(0, 1, 3, 0x80));
          case 7 -> new byte[] {(byte) 0x80, 2, 0, 1}; // SUBSCRIBE with reserved flags 0
          case 8 -> new byte[] {(byte) 0xA2, 3, 0, 1, 0}; // UNSUBSCRIBE without a whole filter
          case 9 ->
              pickBytes(
                  new byte[] {0x00, 0},
                  new byte[] {(byte) 0xF0, 0},
                  new byte[] {0x40, 2, 0x7F, 0x7F},
                  new byte[] {0x50, 2, 0, 9},
                  new byte[] {0x62, 2, 0, 9},
                  new byte[] {0x70, 2, 0, 9},
                  new byte[] {0x20, 2, 0, 0},
                  new byte[] {(byte) 0x90, 3, 0, 1, 0},
                  new byte[] {(byte) 0xC0, 1, 0});
          case 10 -> validConnect(f.sessionDevice);
          case 11 -> cut(publish(0x32, own, 3, utf8("{\"d\":{\"t\":1}}")));
          case 12 -> new byte[] {0x32, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
          default -> randomBytes(1 + random.nextInt(300));
        };
    return new Input("after-connect", validConnect(f.sessionDevice), packet);
  }

  // ---- packets ----

  private byte[] validConnect(String device) {
    return connect(
        "MQTT",
        4,
        0xC2,
        "d:" + f.org + ":" + f.type + ":" + device,
        utf8("use-token-auth"),
        utf8(f.deviceToken));
  }

  private static byte[] connect(
      String protocol, int level, int flags, String clientId, byte[] user, byte[] password) {
    return connectRaw(protocol, level, flags, utf8(clientId), user, password);
  }

  private static byte[] connectRaw(
      String protocol, int level, int flags, byte[] clientId, byte[] user, byte[] password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    string(body, utf8(protocol));
    body.write(level);
    body.write(flags);
    body.write(0);
    body.write(30);
    string(body, clientId);
    if (user != null) {
      string(body, user);
    }
    if (password != null) {
      string(body, password);
    }
    return packet(0x10, body.toByteArray());
  }

  private static byte[] publish(int header, String topic, int packetId, byte[] payload) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    string(body, utf8(topic));
    if (packetId >= 0) {
      body.write(packetId >> 8);
      body.write(packetId & 0xFF);
    }
    body.writeBytes(payload);
    return packet(header, body.toByteArray());
  }

  private static byte[] publishRawTopic(byte[] topic) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    string(body, topic);
    body.writeBytes(utf8("{}"));
    return packet(0x30, body.toByteArray());
  }

  private static byte[] subscribe(int packetId, String filter, int qos) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(0);
    body.write(packetId);
    if (!filter.isEmpty()) {
      string(body, utf8(filter));
      body.write(qos);
    }
    return packet(0x82, body.toByteArray());
  }

  /** The same packet announcing another remaining length. */
  private static byte[] withLength(byte[] packet, int length) {
    int offset = 1;
    while ((packet[offset] & 0x80) != 0) {
      offset++;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(packet[0]);
    remainingLength(out, length);
    out.write(packet, offset + 1, packet.length - offset - 1);
    return out.toByteArray();
  }

  private byte[] keepAlive(byte[] connect) {
    // keep-alive is the two bytes after protocol name, level and flags: 2 + 2 + 4 + 1 + 1
    int at = connect.length - 1;
    for (int i = 1; i < connect.length; i++) {
      if ((connect[i] & 0x80) == 0) {
        at = i + 1 + 2 + 4 + 2;
        break;
      }
    }
    byte[] copy = connect.clone();
    int value = pick(0, 1, 65_535);
    copy[at] = (byte) (value >> 8);
    copy[at + 1] = (byte) value;
    return copy;
  }

  private byte[] cut(byte[] packet) {
    return java.util.Arrays.copyOf(packet, 1 + random.nextInt(packet.length - 1));
  }

  private String clientId() {
    return "d:" + f.org + ":" + f.type + ":" + f.device;
  }

  private Input input(String category, byte[] bytes) {
    return new Input(category, null, bytes);
  }

  private byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private String pick(String... options) {
    return options[random.nextInt(options.length)];
  }

  private int pick(int... options) {
    return options[random.nextInt(options.length)];
  }

  private byte[] pickBytes(byte[]... options) {
    return options[random.nextInt(options.length)];
  }
}
