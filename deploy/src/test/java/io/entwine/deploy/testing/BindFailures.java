package io.entwine.deploy.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a node's log says it failed because a port was taken between the test choosing it and the
 * node binding it, so that the launcher may try again with other ports.
 */
final class BindFailures {
  // the JDK's BindException, Netty's (pekko-http, Vert.x, Artery) and the embedded Cassandra's
  private static final List<String> SIGNS =
      List.of(
          "Address already in use",
          "java.net.BindException",
          "PortTakenException",
          "is in use by another process");

  private BindFailures() {}

  /** The current end of {@code log}, to look only at what a launch writes after it. */
  static long end(Path log) {
    try {
      return Files.exists(log) ? Files.size(log) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Whether the part of {@code log} from {@code offset} on names a taken port. */
  static boolean since(Path log, long offset) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length() - offset;
      if (length <= 0) {
        return false;
      }
      byte[] bytes = new byte[(int) Math.min(length, 16 * 1024 * 1024)];
      file.seek(offset);
      file.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      return SIGNS.stream().anyMatch(text::contains);
    } catch (IOException e) {
      return false;
    }
  }
}
