package io.entwine.http.server;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The HTTPS listener from {@code entwine.http.tls}: the same routes as HTTP over TLS 1.2/1.3, with
 * client certificates requested (not required) for Hono's X.509 device authentication. It is opened
 * only when a certificate and key are configured — the same PEM files as MQTT's TLS listener.
 */
public record HttpsSettings(String interfaceName, int port, Path certFile, Path keyFile) {

  /** Empty when no certificate is configured or the port is {@code -1}. */
  public static Optional<HttpsSettings> from(Config root) {
    Config config = root.getConfig("entwine.http");
    String cert = config.getString("tls.cert-file").strip();
    String key = config.getString("tls.key-file").strip();
    if (cert.isEmpty() != key.isEmpty()) {
      throw new IllegalArgumentException(
          "Set both ENTWINE_TLS_CERT and ENTWINE_TLS_KEY (entwine.http.tls.cert-file and"
              + " key-file), or neither");
    }
    int port = config.getInt("tls-port");
    if (cert.isEmpty() || port < 0) {
      return Optional.empty();
    }
    return Optional.of(
        new HttpsSettings(config.getString("interface"), port, Path.of(cert), Path.of(key)));
  }
}
