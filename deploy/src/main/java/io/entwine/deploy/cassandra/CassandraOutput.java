package io.entwine.deploy.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a launched Cassandra printed ({@code logs/cassandra.out}): its last lines for the error when
 * it exits before answering CQL, and whether it exited because a port was taken.
 */
final class CassandraOutput {
  private static final int TAIL_LINES = 40;

  private CassandraOutput() {}

  /** "; last lines of FILE:" and those lines, to append to an error message. */
  static String tail(Path output) {
    if (output == null || !Files.isRegularFile(output)) {
      return "";
    }
    try {
      List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      return "; last lines of " + output + ":\n" + String.join("\n", tail);
    } catch (IOException | UncheckedIOException e) {
      return "; cannot read " + output + ": " + e.getMessage();
    }
  }

  // Cassandra 5.0 says "/127.0.0.1:7000 is in use by another process" for the storage port and
  // "Failed to bind port 9042 on 127.0.0.1." for the native one.
  static void failOnTakenPort(Path output, int storagePort, InetSocketAddress address) {
    String text = text(output);
    if (storagePort != 0 && text.contains(":" + storagePort + " is in use by another process")) {
      throw new StoragePortTakenException(storagePort);
    }
    if (text.contains("Failed to bind port " + address.getPort() + " ")) {
      throw new PortTakenException(
          address.getPort(),
          "Cassandra could not bind its CQL port "
              + address.getPort()
              + " on "
              + address.getHostString()
              + ": another process took it. Choose another port with "
              + CassandraSettings.ENV_NATIVE_PORT
              + ".");
    }
  }

  private static String text(Path output) {
    try {
      return Files.isRegularFile(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }
}
