package io.entwine.deploy.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.EntwineCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/bin/entwine <command> --help} describes the command and does nothing else: before
 * issue 24, {@code run --help} built and started a node.
 */
class CommandHelpTest {
  private static final Duration QUICK = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @ParameterizedTest
  @ValueSource(strings = {"run", "status", "cluster", "bench", "build"})
  void everyCommandAnswersHelpWithoutDoingAnything(String command) {
    for (String flag : new String[] {"--help", "-h"}) {
      EntwineCommand.Result result = EntwineCommand.run(environment(), QUICK, command, flag);

      assertEquals(0, result.exitStatus(), result.output());
      assertTrue(
          result.output().startsWith("usage: deploy/bin/entwine " + command),
          command + " " + flag + " printed: " + result.output());
      assertFalse(Files.exists(dataDir.resolve("data")), "the command created its data");
    }
  }

  @Test
  void helpAfterOtherArgumentsIsStillHelp() {
    EntwineCommand.Result result =
        EntwineCommand.run(environment(), QUICK, "cluster", "start", "3", "--help");

    assertEquals(0, result.exitStatus(), result.output());
    assertTrue(result.output().startsWith("usage: deploy/bin/entwine cluster"), result.output());
    assertFalse(Files.exists(dataDir.resolve("data")), "help started a cluster");
  }

  @Test
  void theGeneralHelpNamesEveryCommand() {
    EntwineCommand.Result result = EntwineCommand.run(environment(), QUICK, "--help");

    assertEquals(0, result.exitStatus(), result.output());
    for (String command : new String[] {"run", "status", "cluster start", "bench", "build"}) {
      assertTrue(result.output().contains("\n  " + command), command + ": " + result.output());
    }
  }

  @Test
  void anUnknownCommandIsAnErrorWithTheUsage() {
    EntwineCommand.Result result = EntwineCommand.run(environment(), QUICK, "start");

    assertEquals(2, result.exitStatus(), result.output());
    assertTrue(result.output().startsWith("usage: deploy/bin/entwine"), result.output());
  }

  @Test
  void runRefusesAnUnknownLogFormatBeforeBuildingOrStarting() {
    Map<String, String> env = new java.util.HashMap<>(environment());
    env.put("ENTWINE_LOG_FORMAT", "xml");

    EntwineCommand.Result result = EntwineCommand.run(env, QUICK, "run");

    assertEquals(2, result.exitStatus(), result.output());
    assertTrue(
        result.output().contains("ENTWINE_LOG_FORMAT must be text or json"), result.output());
    assertFalse(Files.exists(dataDir.resolve("data")), "run started despite the bad setting");
  }

  @Test
  void statusSaysWhenNoNodeAnswers() {
    EntwineCommand.Result result =
        EntwineCommand.run(environment(), QUICK, "status", "--management", "http://127.0.0.1:1");

    assertEquals(1, result.exitStatus(), result.output());
    assertTrue(result.output().contains("no node answers at http://127.0.0.1:1"), result.output());
  }

  private Map<String, String> environment() {
    return Map.of("ENTWINE_DATA_DIR", dataDir.resolve("data").toString(), "ENTWINE_BUILD", "never");
  }
}
