package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Jdk17LocatorTest {

  @TempDir Path dir;

  @Test
  void usesTheRunningJvmWhenItIsJava17() throws IOException {
    Path running = fakeJdk("running", "17.0.15");

    assertEquals(running.resolve("bin/java"), Jdk17Locator.findJava(Map.of(), running, 17));
  }

  @Test
  void prefersTheExplicitJavaHome() throws IOException {
    Path explicit = fakeJdk("explicit", "17.0.2");

    assertEquals(
        explicit.resolve("bin/java"),
        Jdk17Locator.findJava(
            Map.of(Jdk17Locator.ENV_JAVA_HOME, explicit.toString()),
            fakeJdk("running", "17.0.15"),
            17));
  }

  @Test
  void rejectsAnExplicitJavaHomeThatIsNotJava17() throws IOException {
    Path jdk25 = fakeJdk("jdk25", "25.0.1");

    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () ->
                Jdk17Locator.findJava(
                    Map.of(Jdk17Locator.ENV_JAVA_HOME, jdk25.toString()), jdk25, 25));
    assertTrue(failure.getMessage().contains(Jdk17Locator.ENV_JAVA_HOME));
  }

  @Test
  void looksAtJavaHomeWhenTheRunningJvmIsNewer() throws IOException {
    Path jdk17 = fakeJdk("jdk17", "17.0.15");

    assertEquals(
        jdk17.resolve("bin/java"),
        Jdk17Locator.findJava(Map.of("JAVA_HOME", jdk17.toString()), fakeJdk("jdk25", "25"), 25));
  }

  @Test
  void recognisesAJdk17ByItsReleaseFile() throws IOException {
    assertTrue(Jdk17Locator.isJdk17(fakeJdk("a", "17.0.1")));
    assertEquals(false, Jdk17Locator.isJdk17(fakeJdk("b", "21.0.1")));
    assertEquals(false, Jdk17Locator.isJdk17(dir.resolve("missing")));
  }

  private Path fakeJdk(String name, String version) throws IOException {
    Path home = dir.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    Path java = home.resolve("bin/java");
    if (!Files.exists(java)) {
      Files.createFile(
          java, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    return home;
  }
}
