package io.entwine.http.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.http.docs.OpenApiOperations.Operation;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document against the route sources: every path segment a route matches literally is
 * in some documented path (so a new route family cannot go unnoticed), and every operation can be
 * told apart. Whether each operation is really served, and no other method is, OpenApiContractIT
 * (deploy) asks a running node.
 */
class OpenApiDocumentTest {
  private static final Path ROUTES = Path.of("src/main/java/io/entwine/http");
  private static final Path TWIN_CONSTANTS = Path.of("../twin-cluster/src/main/java");

  private final OpenApiOperations document = OpenApiOperations.fromClasspath();

  @Test
  void everyPathSegmentTheRoutesMatchIsInADocumentedPath() {
    Map<String, Set<String>> missing =
        new TreeMap<>(RouteSourceSegments.in(ROUTES, TWIN_CONSTANTS));
    missing.keySet().removeAll(document.literalSegments());
    // Prometheus' scrape on the management port (docs/operations.md), not the HTTP API
    missing.values().removeIf(files -> files.equals(Set.of("MetricsRoutes.java")));

    assertTrue(
        missing.isEmpty(),
        "Routes match path segments that no path of "
            + ApiDocsRoutes.DOCUMENT
            + " has; document their operations (docs/api.md, \"The OpenAPI document\"): "
            + missing);
  }

  @Test
  void findsTheSegmentsOfTheRoutesItScans() {
    Map<String, Set<String>> segments = RouteSourceSegments.in(ROUTES, TWIN_CONSTANTS);
    // written out, as a constant of the same file, as a constant of twin-cluster
    assertTrue(segments.containsKey("state-events"), segments.keySet().toString());
    assertTrue(segments.get("telemetry").contains("HonoRoutes.java"), segments.toString());
    assertTrue(segments.containsKey("hashed-password"), segments.keySet().toString());
    assertTrue(segments.keySet().stream().noneMatch(s -> s.equals("allowCreateDevices")));
  }

  @Test
  void everyOperationHasAUniqueIdASummaryAndSaysWhoMayCallIt() {
    List<Operation> operations = document.operations();
    Set<String> ids = new HashSet<>();
    for (Operation operation : operations) {
      assertTrue(ids.add(operation.definition().path("operationId").asText()), operation + " id");
      assertTrue(operation.definition().hasNonNull("summary"), operation + " summary");
      assertTrue(operation.definition().has("security"), operation + " security");
    }
    assertEquals(operations.size(), ids.size());
  }

  @Test
  void matchesConcretePathsAgainstTemplates() {
    assertTrue(document.documents("GET", "/api/v0001/devices/thermostat/lab-1"));
    assertTrue(document.documents("PATCH", "/api/v0002/device/types/t/devices/d/state/desired"));
    assertTrue(!document.documents("PATCH", "/api/v0001/devices/thermostat/lab-1"));
    assertTrue(!document.documents("GET", "/api/v0001/devices/thermostat/lab-1/extra"));
  }
}
