package io.entwine.deploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code deploy/bin/entwine} as a user does, with a bounded wait, and keeps its output. */
public final class EntwineCommand {
  /** What the command printed (stdout and stderr together) and its exit status. */
  public record Result(int exitStatus, String output) {}

  private EntwineCommand() {}

  public static Result run(Map<String, String> env, Duration timeout, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", script().toString()));
    command.addAll(List.of(args));
    try {
      Path output = Files.createTempFile("entwine-command", ".out");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          throw new AssertionError(
              String.join(" ", args)
                  + " did not finish in "
                  + timeout
                  + ":\n"
                  + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code deploy/bin/entwine}, whether Maven runs in deploy or at the root. */
  public static Path script() {
    Path inModule = Path.of("bin", "entwine");
    return Files.exists(inModule)
        ? inModule.toAbsolutePath()
        : Path.of("deploy").resolve(inModule).toAbsolutePath();
  }
}
