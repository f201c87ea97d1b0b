package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.entwine.deploy.testing.EntwineRun;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management port serves metrics and cluster membership without authentication: with the
 * defaults it listens on the cluster address only (defect 14). The node runs with cluster host
 * 127.0.0.1; 127.0.0.2 is another address of this machine (Linux answers all of 127/8 on the
 * loopback interface), where a listener bound to every interface would answer too.
 */
class ManagementPortIT {
  @Test
  void managementAnswersOnTheClusterAddressOnly(@TempDir Path dataDir) throws Exception {
    try (EntwineRun node = EntwineRun.start(dataDir, Map.of())) {
      int port = Integer.parseInt(node.env("ENTWINE_MANAGEMENT_PORT"));
      HttpResponse<String> alive =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/alive"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, alive.statusCode(), alive.body());

      assertThrows(
          ConnectException.class,
          () -> connect("127.0.0.2", port),
          "the management port answers on 127.0.0.2, an address other than the cluster host");
    }
  }

  private static void connect(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2_000);
    }
  }
}
