package io.entwine.deploy.cassandra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a JDK 17 for the Cassandra process: Cassandra 5.0 runs on Java 11 and 17 only, while the
 * Entwine node may run on a newer JDK.
 */
final class Jdk17Locator {

  static final String ENV_JAVA_HOME = "ENTWINE_CASSANDRA_JAVA_HOME";
  private static final Path JVM_DIR = Path.of("/usr/lib/jvm");

  private Jdk17Locator() {}

  /**
   * The {@code java} executable to run Cassandra with: {@code ENTWINE_CASSANDRA_JAVA_HOME} if set,
   * else the running JVM if it is 17, else {@code JAVA_HOME}, else a JDK 17 below {@code
   * /usr/lib/jvm}.
   *
   * @throws IllegalStateException if there is none
   */
  static Path findJava(Map<String, String> env, Path runningJavaHome, int runningFeatureVersion) {
    String explicit = env.get(ENV_JAVA_HOME);
    if (explicit != null && !explicit.isBlank()) {
      Path home = Path.of(explicit);
      if (!isJdk17(home)) {
        throw new IllegalStateException(
            ENV_JAVA_HOME
                + "="
                + explicit
                + " is not a Java 17 home; Cassandra 5.0 needs Java 17.");
      }
      return javaExecutable(home);
    }
    if (runningFeatureVersion == 17) {
      return javaExecutable(runningJavaHome);
    }
    List<Path> candidates = new ArrayList<>();
    Optional.ofNullable(env.get("JAVA_HOME"))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .ifPresent(candidates::add);
    candidates.add(JVM_DIR.resolve("java-17-openjdk-amd64"));
    candidates.addAll(installedJdks());
    return candidates.stream()
        .filter(Jdk17Locator::isJdk17)
        .findFirst()
        .map(Jdk17Locator::javaExecutable)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "Cassandra 5.0 needs Java 17, this JVM is Java "
                        + runningFeatureVersion
                        + " and no Java 17 was found (looked at JAVA_HOME and "
                        + JVM_DIR
                        + "). Install one or set "
                        + ENV_JAVA_HOME
                        + "."));
  }

  /** The running JVM's choice. */
  static Path findJava() {
    return findJava(
        System.getenv(), Path.of(System.getProperty("java.home")), Runtime.version().feature());
  }

  static boolean isJdk17(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release) || !Files.isExecutable(javaExecutable(home))) {
      return false;
    }
    try {
      return Files.readAllLines(release, StandardCharsets.UTF_8).stream()
          .anyMatch(line -> line.startsWith("JAVA_VERSION=\"17"));
    } catch (IOException e) {
      return false;
    }
  }

  private static List<Path> installedJdks() {
    if (!Files.isDirectory(JVM_DIR)) {
      return List.of();
    }
    try (Stream<Path> homes = Files.list(JVM_DIR)) {
      return homes.sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Path javaExecutable(Path home) {
    return home.resolve("bin").resolve("java");
  }
}
