package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitLogAccessTest {

  @Test
  void createsTheDirectoryAndLeavesNoProbeBehind(@TempDir Path dataDir) throws IOException {
    Path commitLog = dataDir.resolve("commitlog");

    CommitLogAccess.forDirectory(commitLog);

    try (Stream<Path> files = Files.list(commitLog)) {
      assertEquals(List.of(), files.toList());
    }
  }
}
