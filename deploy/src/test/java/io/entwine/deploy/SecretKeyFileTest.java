package io.entwine.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeyFileTest {
  @TempDir Path dataDir;

  @Test
  void generatesAnOwnerOnlyKeyOnceAndReadsTheSameKeyAfterwards() throws Exception {
    String generated = SecretKeyFile.loadOrCreate(dataDir.resolve("new"));

    Path file = dataDir.resolve("new").resolve(SecretKeyFile.FILE_NAME);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(generated, SecretKeyFile.loadOrCreate(dataDir.resolve("new")));
  }

  @Test
  void refusesAKeyFileThatHoldsNoKey() throws Exception {
    Files.writeString(dataDir.resolve(SecretKeyFile.FILE_NAME), "not a key\n");

    assertThrows(RuntimeException.class, () -> SecretKeyFile.loadOrCreate(dataDir));
  }
}
