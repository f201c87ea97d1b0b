package io.entwine.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.entwine.http.EdgeTestRoutes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS listener reads the PEM files openssl writes, in both private-key forms, and checks
 * request framing under TLS as over plain HTTP.
 */
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
  void servesKeepAliveRequestsAndRefusesAChunkedHttp10OneWith400() throws Exception {
    selfSigned();
    ActorTestKit testKit =
        ActorTestKit.create(
            "ServerTlsTest",
            ConfigFactory.parseString("pekko.jvm-exit-on-fatal-error = off")
                .withFallback(ConfigFactory.load()));
    try {
      ServerBinding binding =
          HttpServer.startHttps(testKit.system(), settings("key.pem"), new EdgeTestRoutes().route())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      try (Socket socket =
          trustingClient().createSocket("127.0.0.1", binding.localAddress().getPort())) {
        socket.setSoTimeout(20_000);
        socket
            .getOutputStream()
            .write(
                ("GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        + "POST /events HTTP/1.0\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        String answers = readUntilClosed(socket);

        assertTrue(answers.startsWith("HTTP/1.1 200 OK"), answers);
        int refusal = answers.indexOf("HTTP/1.1 400 Bad Request");
        assertTrue(refusal > 0, answers);
        assertTrue(answers.substring(refusal).contains("chunked"), answers);
      }
    } finally {
      testKit.shutdownTestKit();
    }
  }

  /** What the server sent until it closed the connection (with or without a TLS close_notify). */
  private static String readUntilClosed(Socket socket) throws IOException {
    ByteArrayOutputStream answers = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int read; (read = socket.getInputStream().read(buffer)) >= 0; ) {
        answers.write(buffer, 0, read);
      }
    } catch (SocketException | SSLException closed) {
      // closed without close_notify: what came before counts
    }
    return answers.toString(StandardCharsets.ISO_8859_1);
  }

  private static SSLSocketFactory trustingClient() throws Exception {
    X509TrustManager trustAll =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trustAll}, null);
    return context.getSocketFactory();
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
