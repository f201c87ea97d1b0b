package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.EntwineRun;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Features whose classes come from runtime dependencies, exercised on a node started as {@code
 * deploy/bin/entwine run} starts it: a dependency that Maven keeps off {@code entwine.classpath}
 * (e.g. by a test-scoped declaration that wins over a transitive runtime one) fails here, not only
 * in production.
 */
class ProductionClasspathIT {
  @TempDir static Path dataDir;
  private static EntwineRun node;
  private static final ApiClient API = new ApiClient(EntwineRun.ADMIN_TOKEN);

  @BeforeAll
  static void start() {
    node = EntwineRun.start(dataDir, Map.of());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  /**
   * Every class Entwine's own code refers to is on the production classpath: JDK's {@code jdeps
   * --missing-deps} over Entwine's classes (the deploy module's and the other modules' jars) with
   * {@code entwine.classpath} as the class path lists each reference it cannot resolve.
   */
  @Test
  void theProductionClasspathHoldsEveryClassEntwineRefersTo() {
    List<String> classpath = List.of(EntwineRun.productionClasspath().split(File.pathSeparator));
    List<String> own =
        classpath.stream()
            .filter(entry -> entry.contains("io/entwine/") || entry.startsWith(projectRoot()))
            .toList();
    assertTrue(own.size() >= 6, "Entwine's own modules on the classpath: " + own);
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    List<String> args = new ArrayList<>(List.of("--multi-release", "17", "--missing-deps"));
    args.addAll(List.of("--class-path", String.join(File.pathSeparator, classpath)));
    args.addAll(own);
    int exit =
        jdeps.run(
            new PrintWriter(out, true), new PrintWriter(out, true), args.toArray(String[]::new));

    List<String> missing =
        out.toString().lines().filter(line -> line.contains("not found")).toList();
    assertEquals(List.of(), missing, "jdeps exit " + exit + ":\n" + out);
  }

  private static String projectRoot() {
    return Path.of(System.getProperty(EntwineRun.PROPERTY_NODE_CLASSES))
        .getParent()
        .getParent()
        .getParent()
        .toString();
  }

  @Test
  void creatingAnMqttBridgeLeavesTheNodeRunning() {
    ApiKey apiKey = API.organizationWithApiKey(node.baseUrl());
    ApiClient.Response created =
        API.withApiKey(
            node.baseUrl(),
            apiKey,
            "POST",
            "/api/v0002/bridges/mqtt",
            """
            {"url":"tcp://127.0.0.1:9","clientId":"x","topics":[{"filter":"s/+/t","qos":1}],
             "uplinkConverter":{"script":"return null;"}}""");

    assertEquals(201, created.status(), created.body());
    assertTrue(node.isAlive(), "the node exited; see " + node.log());
    assertTrue(node.isReady(), "the node is not ready after creating a bridge");
    assertEquals(
        200,
        API.withApiKey(node.baseUrl(), apiKey, "GET", "/api/v0002/bridges/mqtt", null).status());
  }
}
