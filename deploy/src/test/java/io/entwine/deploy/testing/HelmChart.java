package io.entwine.deploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Helm chart {@code deploy/helm/entwine} rendered as {@code helm template} renders it, by
 * {@code tools/helm-render} (Go's text/template and Sprig, Helm's engine; docs/adr/0064), built
 * here from Debian's Go packages. Without Go the calling test is skipped, and fails in CI.
 */
public final class HelmChart {
  private static Path renderer;

  private HelmChart() {}

  public static Path directory() {
    return repositoryRoot().resolve("deploy/helm/entwine");
  }

  /** The manifests the chart renders with {@code valueFiles} over its values.yaml. */
  public static String render(Path... valueFiles) {
    Result result = run(valueFiles);
    assertEquals(0, result.exitStatus(), "helm-render failed:\n" + result.errors());
    return result.output();
  }

  /** What the renderer says when the chart refuses {@code valueFiles} (a {@code required}). */
  public static String refusal(Path... valueFiles) {
    Result result = run(valueFiles);
    assertTrue(result.exitStatus() != 0, "rendered although it should not:\n" + result.output());
    return result.errors();
  }

  private record Result(int exitStatus, String output, String errors) {}

  private static Result run(Path... valueFiles) {
    List<String> command = new ArrayList<>(List.of(renderer().toString(), directory().toString()));
    for (Path file : valueFiles) {
      command.add(file.toString());
    }
    return execute(command);
  }

  private static synchronized Path renderer() {
    if (renderer == null) {
      if (!CommandLineTools.runs("go")) {
        CommandLineTools.skipOrFailInCi(
            "Go is not installed (apt-get install golang-go golang-github-masterminds-sprig-dev"
                + " golang-gopkg-yaml.v3-dev; .ci/run installs them)",
            "the Helm chart tests");
      }
      Path built = repositoryRoot().resolve("deploy/target/helm-render").toAbsolutePath();
      Result build =
          execute(
              List.of(
                  "bash",
                  repositoryRoot().resolve("tools/helm-render/build.sh").toString(),
                  built.toString()));
      assertEquals(0, build.exitStatus(), "building tools/helm-render:\n" + build.errors());
      renderer = built;
    }
    return renderer;
  }

  private static Result execute(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).start();
      process.getOutputStream().close();
      CompletableFuture<String> errors =
          CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      String output = readAll(process.getInputStream());
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not finish");
      }
      return new Result(process.exitValue(), output, errors.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String readAll(InputStream stream) {
    try {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether Maven runs in deploy or at the root. */
  private static Path repositoryRoot() {
    return Files.isDirectory(Path.of("helm"))
        ? Path.of("..").toAbsolutePath().normalize()
        : Path.of("").toAbsolutePath();
  }
}
