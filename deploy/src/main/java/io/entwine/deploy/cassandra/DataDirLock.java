package io.entwine.deploy.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Marks the launcher that runs Cassandra in a data directory, so that two launchers never start two
 * Cassandras on the same files. The operating system drops the lock when the owning JVM dies,
 * however it dies.
 */
final class DataDirLock implements AutoCloseable {

  // POSIX locks belong to the process and closing any channel on the file drops them, so a JVM
  // must never open a second channel on a lock file it holds: track its own locks here.
  private static final Set<Path> HELD_BY_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path dataDir;
  private final FileChannel channel;

  private DataDirLock(Path dataDir, FileChannel channel) {
    this.dataDir = dataDir;
    this.channel = channel;
  }

  /** The lock, or empty if another launcher (in this JVM or another) holds it. */
  static Optional<DataDirLock> tryAcquire(Path dataDir) {
    if (!HELD_BY_THIS_JVM.add(dataDir)) {
      return Optional.empty();
    }
    Path file = dataDir.resolve("launcher.lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return Optional.of(new DataDirLock(dataDir, channel));
      }
      closeQuietly(channel);
      HELD_BY_THIS_JVM.remove(dataDir);
      return Optional.empty();
    } catch (IOException e) {
      closeQuietly(channel);
      HELD_BY_THIS_JVM.remove(dataDir);
      throw new UncheckedIOException("Cannot lock " + file, e);
    }
  }

  /** Releases the lock; closing the channel releases the file lock with it. */
  @Override
  public void close() {
    closeQuietly(channel);
    HELD_BY_THIS_JVM.remove(dataDir);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }
}
