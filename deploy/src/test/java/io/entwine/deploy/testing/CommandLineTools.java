package io.entwine.deploy.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The external programs the ITs drive (MQTT clients, a broker) and the scripts that install them.
 */
public final class CommandLineTools {
  private CommandLineTools() {}

  /** Whether {@code tool} can be started (it is installed and on the PATH). */
  public static boolean runs(String tool) {
    try {
      Process process = new ProcessBuilder(tool, "--help").redirectErrorStream(true).start();
      process.getInputStream().transferTo(OutputStream.nullOutputStream());
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A script of {@code deploy/src/test/scripts}, whether Maven runs in deploy or at the root. */
  public static Path script(String name) {
    Path inModule = Path.of("src", "test", "scripts", name);
    return Files.exists(inModule)
        ? inModule.toAbsolutePath()
        : Path.of("deploy").resolve(inModule).toAbsolutePath();
  }
}
