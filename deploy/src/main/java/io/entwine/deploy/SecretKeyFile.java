package io.entwine.deploy;

import io.entwine.credentials.SecretBox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node default for the cluster key when {@code ENTWINE_SECRET_KEY} is not set: a key
 * generated once and kept in {@code $ENTWINE_DATA_DIR/secret.key} (owner-only), so encrypted device
 * secrets survive restarts. A cluster of several nodes must set the same {@code ENTWINE_SECRET_KEY}
 * on every node instead.
 */
final class SecretKeyFile {
  private static final Logger log = LoggerFactory.getLogger(SecretKeyFile.class);
  static final String FILE_NAME = "secret.key";

  private SecretKeyFile() {}

  static String loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        String key = Files.readString(file, StandardCharsets.US_ASCII).strip();
        SecretBox.fromBase64(key);
        log.warn(
            "ENTWINE_SECRET_KEY is not set: using the key in {} (fine for one node; every node"
                + " of a cluster needs the same ENTWINE_SECRET_KEY)",
            file.toAbsolutePath());
        return key;
      }
      Files.createDirectories(dataDir);
      String key = SecretBox.newKey();
      write(file, key + "\n");
      log.warn(
          "ENTWINE_SECRET_KEY is not set: generated a key in {} (fine for one node; every node of"
              + " a cluster needs the same ENTWINE_SECRET_KEY; keep this file with the data)",
          file.toAbsolutePath());
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or create the secret key file " + file, e);
    }
  }

  /**
   * Creates the file owner-only from the start (no moment in which other users may read it) and
   * forces it and its directory entry to disk before the key encrypts anything: the journal
   * survives a power loss, so the key that decrypts its secrets must too.
   */
  private static void write(Path file, String content) throws IOException {
    Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileAttribute<?>[] ownerOnly = {};
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      ownerOnly =
          new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
          };
    }
    try (FileChannel channel = FileChannel.open(file, options, ownerOnly)) {
      channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
      channel.force(true);
    }
    try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException directoriesCannotBeOpened) {
      // some file systems refuse to open a directory; the file itself is on disk
    }
  }
}
