package io.entwine.deploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own checker, {@code promtool} (Debian package {@code prometheus}; {@code .ci/run}
 * installs it). A test that needs it is skipped, saying why, only where it is not installed.
 */
public final class Promtool {
  private Promtool() {}

  public static void assumeInstalled() {
    Assumptions.assumeTrue(
        CommandLineTools.runs("promtool"),
        "promtool is not installed (Debian package prometheus; .ci/run installs it)");
  }

  /** Runs {@code promtool args…} with {@code input} on its standard input; asserts it passes. */
  public static void assertPasses(String input, String... args) {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " hangs");
      assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
