package io.entwine.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The device's side of Tencent IoT Hub's signed HTTP publish (Tencent IoT Hub documentation, device
 * HTTP publish, signature method): the string to sign and its HMAC with the device's PSK. Shared by
 * the route tests and the whole-node IT (test-jar).
 */
public final class TencentClientSignature {
  private TencentClientSignature() {}

  /** The string to sign of {@code POST /device/publish}; {@code algorithm} as in X-TC-Algorithm. */
  public static String stringToSign(
      String host, String algorithm, long timestamp, String nonce, String body) {
    return String.join(
        "\n",
        "POST",
        host,
        "/device/publish",
        "",
        algorithm,
        String.valueOf(timestamp),
        nonce,
        sha256Hex(body));
  }

  /** The MAC of {@code data} keyed with the PSK's bytes; {@code jcaAlgorithm} e.g. HmacSHA256. */
  public static byte[] hmac(String jcaAlgorithm, String psk, String data) {
    try {
      Mac mac = Mac.getInstance(jcaAlgorithm);
      mac.init(new SecretKeySpec(psk.getBytes(StandardCharsets.UTF_8), jcaAlgorithm));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static String sha256Hex(String body) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
