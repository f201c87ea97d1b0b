package io.entwine.mqtt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * MQTT 3.1.1 frames written by hand (OASIS MQTT 3.1.1, section 2.2 fixed header and 1.5.3 UTF-8
 * strings), for tests that send what no client library would. Shared with the deploy module's
 * whole-node tests (test-jar).
 */
public final class MqttFrames {
  private MqttFrames() {}

  /** The fixed header ({@code header} byte, remaining length) followed by {@code body}. */
  public static byte[] packet(int header, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(header);
    remainingLength(out, body.length);
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** The remaining length in MQTT's variable-length encoding, seven bits a byte. */
  public static void remainingLength(ByteArrayOutputStream out, int length) {
    do {
      int digit = length % 128;
      length /= 128;
      out.write(length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
  }

  /** A length-prefixed string of {@code bytes} (any bytes: tests send invalid UTF-8 too). */
  public static void string(ByteArrayOutputStream out, byte[] bytes) {
    out.write((bytes.length >> 8) & 0xFF);
    out.write(bytes.length & 0xFF);
    out.writeBytes(bytes);
  }

  public static void string(ByteArrayOutputStream out, String value) {
    string(out, value.getBytes(StandardCharsets.UTF_8));
  }
}
