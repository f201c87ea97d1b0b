package io.entwine.http.tencent;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * A Tencent IoT Hub HTTP publish's signature headers and the StringToSign they cover (Tencent IoT
 * Hub documentation, "Device connection over HTTP"): {@code X-TC-Signature} = HMAC(psk,
 * StringToSign), as Base64 or as lowercase hex.
 */
record TencentSignature(
    String algorithm, long timestamp, String nonce, String signature, List<String> signedTexts) {

  /** The request's signature headers; a missing or malformed one is a bad request (400). */
  static TencentSignature of(HttpRequest request, byte[] body) {
    String algorithm = header(request, "X-TC-Algorithm");
    String timestampText = header(request, "X-TC-Timestamp");
    String nonce = header(request, "X-TC-Nonce");
    String signature = header(request, "X-TC-Signature");
    if (!"HmacSha256".equals(algorithm) && !"HmacSha1".equals(algorithm)) {
      throw TencentRoutes.invalid("X-TC-Algorithm must be HmacSha256 or HmacSha1");
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(timestampText);
    } catch (NumberFormatException e) {
      throw TencentRoutes.invalid("X-TC-Timestamp must be the Unix time in seconds");
    }
    if (nonce.isEmpty()) {
      throw TencentRoutes.invalid("X-TC-Nonce is required");
    }
    String host = request.getHeader("Host").map(h -> h.value()).orElse("");
    String rest =
        String.join(
            "\n",
            request.getUri().path(),
            request.getUri().rawQueryString().orElse(""),
            algorithm,
            timestampText,
            nonce,
            HexFormat.of().formatHex(sha256(body)));
    String lower = host.toLowerCase(Locale.ROOT);
    String upper = host.toUpperCase(Locale.ROOT);
    return new TencentSignature(
        algorithm,
        timestamp,
        nonce,
        signature,
        List.of("POST\n" + lower + "\n" + rest, "POST\n" + upper + "\n" + rest));
  }

  private static String header(HttpRequest request, String name) {
    return request.getHeader(name).map(h -> h.value().strip()).orElse("");
  }

  /** Whether the signature is the HMAC of one of the signed texts with {@code psk}. */
  boolean matches(String psk) {
    boolean matches = false;
    for (String signedText : signedTexts) {
      byte[] expected = hmac(algorithm, psk, signedText);
      byte[] presented = decodeSignature(signature, expected.length);
      matches |= presented != null && MessageDigest.isEqual(expected, presented);
    }
    return matches;
  }

  /** Base64 as Tencent documents it, or hex as its sample and openssl print it. */
  private static byte[] decodeSignature(String signature, int length) {
    try {
      if (signature.length() == length * 2 && signature.matches("[0-9a-fA-F]+")) {
        return HexFormat.of().parseHex(signature.toLowerCase(Locale.ROOT));
      }
      return Base64.getDecoder().decode(signature);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static byte[] hmac(String algorithm, String key, String data) {
    String jca = "HmacSha1".equals(algorithm) ? "HmacSHA1" : "HmacSHA256";
    try {
      Mac mac = Mac.getInstance(jca);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), jca));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(jca + " is part of every JDK", e);
    }
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
