package io.entwine.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.spec.InvalidKeySpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTPS listener reads the PEM files openssl writes, in both private-key forms. */
class ServerTlsTest {
  @TempDir Path dir;

  @Test
  void loadsPkcs8AndPkcs1RsaKeysAndAsksClientsForACertificate() throws Exception {
    selfSigned();
    openssl("rsa -in key.pem -traditional -out key-pkcs1.pem");
    assertTrue(Files.readString(dir.resolve("key.pem")).contains("BEGIN PRIVATE KEY"));
    assertTrue(Files.readString(dir.resolve("key-pkcs1.pem")).contains("BEGIN RSA PRIVATE KEY"));

    for (String key : List.of("key.pem", "key-pkcs1.pem")) {
      SSLEngine engine = ServerTls.engine(ServerTls.context(settings(key)));
      assertTrue(engine.getWantClientAuth(), key);
      assertFalse(engine.getNeedClientAuth(), key);
      assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(engine.getEnabledProtocols()));
    }
  }

  @Test
  void refusesAFileWithoutAPrivateKey() throws Exception {
    selfSigned();

    InvalidKeySpecException refused =
        assertThrows(InvalidKeySpecException.class, () -> ServerTls.context(settings("cert.pem")));
    assertTrue(refused.getMessage().contains("no unencrypted PEM private key"));
  }

  private void selfSigned() throws Exception {
    openssl(
        "req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout key.pem -out cert.pem");
  }

  private HttpsSettings settings(String key) {
    return new HttpsSettings("127.0.0.1", 0, dir.resolve("cert.pem"), dir.resolve(key));
  }

  /** {@code openssl} with the arguments of {@code commandLine} (split at spaces). */
  private void openssl(String commandLine) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(commandLine.split(" ")));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, output);
  }
}
