package io.entwine.deploy.mqtt;

import io.entwine.deploy.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate for 127.0.0.1/localhost, made when a test runs (no private key is
 * checked in): with {@code openssl} when it is installed, otherwise with the JDK's {@code keytool},
 * converted to the PEM files the node reads.
 */
public final class SelfSignedCertificate {
  private static final char[] STORE_PASSWORD = "entwine-test".toCharArray();

  public record Pem(Path cert, Path key) {}

  private SelfSignedCertificate() {}

  public static Pem create(Path dir) throws Exception {
    Pem pem = new Pem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    if (hasOpenssl()) {
      run(
          List.of(
              "openssl",
              "req",
              "-x509",
              "-newkey",
              "rsa:2048",
              "-nodes",
              "-days",
              "2",
              "-subj",
              "/CN=localhost",
              "-addext",
              "subjectAltName=DNS:localhost,IP:127.0.0.1",
              "-keyout",
              pem.key().toString(),
              "-out",
              pem.cert().toString()));
    } else {
      withKeytool(dir, pem);
    }
    return pem;
  }

  /** A node whose MQTT TLS and secure WebSocket listeners serve {@code pem}. */
  static TestNode startNodeServing(Pem pem) throws Exception {
    return TestNode.start(
        "entwine.mqtt.tls.cert-file = \"%s\"\nentwine.mqtt.tls.key-file = \"%s\""
            .formatted(pem.cert(), pem.key()));
  }

  /** A client-side SSL context that trusts exactly this certificate. */
  static SSLContext trusting(Path cert) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry(
          "entwine", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers.getTrustManagers(), null);
    return context;
  }

  private static void withKeytool(Path dir, Pem pem) throws Exception {
    Path store = dir.resolve("store.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        List.of(
            keytool,
            "-genkeypair",
            "-alias",
            "entwine",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            "2",
            "-dname",
            "CN=localhost",
            "-ext",
            "SAN=dns:localhost,ip:127.0.0.1",
            "-storetype",
            "PKCS12",
            "-keystore",
            store.toString(),
            "-storepass",
            new String(STORE_PASSWORD)));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, STORE_PASSWORD);
    }
    Certificate certificate = keys.getCertificate("entwine");
    Files.writeString(pem.cert(), pem("CERTIFICATE", certificate.getEncoded()));
    // Key.getEncoded() of an RSA private key is PKCS#8, what "BEGIN PRIVATE KEY" holds
    Files.writeString(
        pem.key(), pem("PRIVATE KEY", keys.getKey("entwine", STORE_PASSWORD).getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static boolean hasOpenssl() {
    try {
      return new ProcessBuilder("openssl", "version")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void run(List<String> command) throws Exception {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("Failed: " + String.join(" ", command));
    }
  }
}
