package io.entwine.deploy.cassandra;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How Cassandra writes its commit log ({@code commitlog_disk_access_mode}). With {@code
 * commitlog_sync: batch} a write is acknowledged once it is in the file either way; {@code direct}
 * gets it there with one O_DIRECT write, {@code mmap} with an msync — an fsync, which on a busy
 * virtual disk took up to seconds. Some file systems (tmpfs among them) refuse O_DIRECT, and
 * Cassandra would then not start, so the launcher probes the directory first.
 */
enum CommitLogAccess {
  DIRECT("direct"),
  MMAP("mmap");

  private final String yamlValue;

  CommitLogAccess(String yamlValue) {
    this.yamlValue = yamlValue;
  }

  String yamlValue() {
    return yamlValue;
  }

  /**
   * {@link #DIRECT} if a file in {@code commitLogDir} (created if need be) takes a block written
   * with O_DIRECT, as Cassandra's segments do.
   */
  static CommitLogAccess forDirectory(Path commitLogDir) {
    Path probe = commitLogDir.resolve(".direct-io-probe");
    try {
      Files.createDirectories(commitLogDir);
      int blockSize = (int) Files.getFileStore(commitLogDir).getBlockSize();
      ByteBuffer block = ByteBuffer.allocateDirect(2 * blockSize).alignedSlice(blockSize);
      block.limit(blockSize);
      try (FileChannel channel =
          FileChannel.open(
              probe,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.DELETE_ON_CLOSE,
              ExtendedOpenOption.DIRECT)) {
        channel.write(block, 0);
        return DIRECT;
      }
    } catch (IOException | RuntimeException refused) {
      return MMAP;
    }
  }
}
