package io.entwine.deploy.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

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

  /**
   * For a tool a test needs that is not installed: fails the test in CI (where {@code CI} is set
   * and {@code .ci/run} installs the tool), and skips it elsewhere, saying why.
   *
   * @param missing what is missing and how to install it
   * @param tests the tests that need it, as in "CI must run {@code tests}"
   */
  public static void skipOrFailInCi(String missing, String tests) {
    if (System.getenv("CI") != null) {
      fail(missing + "; CI must run " + tests);
    }
    Assumptions.abort(missing + "; " + tests + " are skipped outside CI");
  }

  /** A script of {@code deploy/src/test/scripts}, whether Maven runs in deploy or at the root. */
  public static Path script(String name) {
    Path inModule = Path.of("src", "test", "scripts", name);
    return Files.exists(inModule)
        ? inModule.toAbsolutePath()
        : Path.of("deploy").resolve(inModule).toAbsolutePath();
  }
}
