package io.entwine.deploy.mqtt;

import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A node whose MQTT TLS and secure WebSocket listeners serve a certificate made for the test class
 * ({@link SelfSignedCertificate}): {@code @RegisterExtension static final TlsNode tls = new
 * TlsNode();} makes the certificate in a directory of its own and starts the node before the
 * class's tests, and stops the node and deletes the directory after them.
 */
final class TlsNode implements BeforeAllCallback, AfterAllCallback {
  private Path directory;
  private SelfSignedCertificate.Pem pem;
  private TestNode node;
  private Fixtures fixtures;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    directory = Files.createTempDirectory("entwine-tls-it");
    pem = SelfSignedCertificate.create(directory);
    node = SelfSignedCertificate.startNodeServing(pem);
    fixtures = new Fixtures(node);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  TestNode node() {
    return node;
  }

  Fixtures fixtures() {
    return fixtures;
  }

  /** The node's certificate (PEM). */
  Path certificate() {
    return pem.cert();
  }

  /** Where the certificate lies; a test may put files of its own there (deleted with it). */
  Path directory() {
    return directory;
  }

  /** A client-side SSL context that trusts exactly the node's certificate. */
  SSLContext trustingNode() throws Exception {
    return SelfSignedCertificate.trusting(pem.cert());
  }
}
