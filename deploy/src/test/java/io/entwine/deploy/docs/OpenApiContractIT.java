package io.entwine.deploy.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.TestNode;
import io.entwine.http.docs.OpenApiOperations;
import io.entwine.http.docs.OpenApiOperations.Operation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAPI document against a running node's routes, over HTTP with each operation's own kind of
 * credentials: every documented operation is served (not answered as pekko-http answers when no
 * route matched: 404 "The requested resource could not be found." or 405), and no other method on a
 * documented path, nor a path one segment below one, is answered with anything but 404 or 405. The
 * probes send no body or one of a media type no route accepts, so they change nothing.
 */
class OpenApiContractIT {
  private static final String NOT_FOUND = "The requested resource could not be found.";
  private static final String HONO_AUTH_ID = "probe-sensor";
  private static final String HONO_SECRET = "probe-hono-secret";

  @RegisterExtension static final TestNode node = TestNode.perClass();
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "thermostat", id = "lab-1")
  private Device device;

  @Test
  void servesTheDocumentWithoutAuthentication() throws Exception {
    TestNode.Response json = node.request("GET", "/api/openapi.json").send();
    assertEquals(200, json.status(), json.body());
    assertEquals("application/json", json.raw().headers().firstValue("Content-Type").orElseThrow());
    JsonNode served = new ObjectMapper().readTree(json.body());
    assertEquals(OpenApiOperations.fromClasspath().document(), served);

    TestNode.Response yaml = node.request("GET", "/api/openapi.yaml").send();
    assertEquals(200, yaml.status(), yaml.body());
    assertTrue(yaml.body().startsWith("openapi: 3.1.0"), yaml.body());
  }

  @Test
  void servesTheReferencePageAndItsAssets() {
    TestNode.Response page = node.request("GET", "/api/docs").send();
    assertEquals(200, page.status(), page.body());
    assertTrue(
        page.raw().headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    assertAsset("/api/docs/assets/swagger-ui-bundle.js", "application/javascript");
    assertAsset("/api/docs/assets/swagger-ui.css", "text/css");
    assertAsset("/api/docs/entwine-docs.js", "application/javascript");
  }

  @Test
  void everyDocumentedOperationIsServed() {
    addHonoCredential();
    List<String> unrouted = new ArrayList<>();
    for (Operation operation : OpenApiOperations.fromClasspath().operations()) {
      // a device's own operations on the fixture's device (they must authenticate), the others on
      // ids that exist nowhere, so that the documented DELETEs delete nothing
      boolean asDevice = "deviceToken".equals(scheme(operation.definition()));
      String path = concrete(operation.template(), asDevice) + probeQuery(operation.definition());
      TestNode.Response answer = probe(operation.method(), path, operation.definition());
      if (unrouted(answer)) {
        unrouted.add(operation + " (probed as " + path + ": " + answer.status() + ")");
      }
    }
    assertTrue(
        unrouted.isEmpty(),
        "The document names operations the node does not serve: " + String.join(", ", unrouted));
  }

  @Test
  void noOperationOnOrOneSegmentBelowADocumentedPathIsServedWithoutBeingDocumented() {
    addHonoCredential();
    OpenApiOperations document = OpenApiOperations.fromClasspath();
    Set<String> children = new TreeSet<>(document.literalSegments());
    children.add("probe-child");
    Set<String> undocumented = new TreeSet<>();
    for (String template : document.templates()) {
      Operation sample = firstOperation(document, template);
      // the fixture's device, so that a route that looks it up first answers as it would a client
      // (an undocumented DELETE would delete it: the test fails then anyway)
      String path = concrete(template, true);
      for (String method : OpenApiOperations.METHODS) {
        if (!document.documents(method, path) && served(probe(method, path, sample.definition()))) {
          undocumented.add(method + " " + template);
        }
      }
      if (template.startsWith("/api/docs/assets/")) {
        continue; // a directory of files; a name is a file or nothing
      }
      for (String child : children) {
        String below = path + "/" + child;
        for (String method : List.of("GET", "POST")) {
          if (!document.documents(method, below)
              && served(probe(method, below, sample.definition()))) {
            undocumented.add(method + " " + template + "/" + child);
          }
        }
      }
    }
    assertTrue(
        undocumented.isEmpty(),
        "The node serves operations the document lacks (add them to ingress-http's"
            + " openapi/openapi.yaml): "
            + undocumented);
  }

  private static Operation firstOperation(OpenApiOperations document, String template) {
    return document.operations().stream()
        .filter(op -> op.template().equals(template))
        .findFirst()
        .orElseThrow();
  }

  private void assertAsset(String path, String contentType) {
    TestNode.Response asset = node.request("GET", path).send();
    assertEquals(200, asset.status(), path);
    assertTrue(
        asset.raw().headers().firstValue("Content-Type").orElseThrow().startsWith(contentType),
        path + ": " + asset.raw().headers().firstValue("Content-Type"));
  }

  private void addHonoCredential() {
    TestNode.Response added =
        node.request(
                "POST",
                "/api/v0002/device/types/"
                    + device.type()
                    + "/devices/"
                    + device.id()
                    + "/credentials")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json(
                "{\"type\":\"hashed-password\",\"auth-id\":\""
                    + HONO_AUTH_ID
                    + "\",\"secret\":\""
                    + HONO_SECRET
                    + "\"}")
            .send();
    assertTrue(added.status() == 201 || added.status() == 409, added.body());
  }

  /** What pekko-http answers when no route took the request. */
  private static boolean unrouted(TestNode.Response answer) {
    return answer.status() == 405 || (answer.status() == 404 && answer.body().contains(NOT_FOUND));
  }

  /**
   * An answer to an undocumented method or path that is an operation: anything but 404 and 405. A
   * route's own 404 (a bridge id of the wrong form, an adapter or organization that does not exist,
   * looked up before the method is matched) tells the client there is nothing there, as the
   * unrouted 404 does.
   */
  private static boolean served(TestNode.Response answer) {
    return answer.status() != 404 && answer.status() != 405;
  }

  /**
   * The template with values: the fixture's organization, the fixture's device or one that exists
   * nowhere, and well-formed values for the other parameters.
   */
  private String concrete(String template, boolean fixtureDevice) {
    StringBuilder path = new StringBuilder();
    for (String segment : OpenApiOperations.segments(template)) {
      path.append('/').append(value(segment, fixtureDevice));
    }
    return path.length() == 0 ? "/" : path.toString();
  }

  private String value(String segment, boolean fixtureDevice) {
    if (!OpenApiOperations.isParameter(segment)) {
      return segment;
    }
    return switch (segment) {
      case "{org}", "{tenant}" -> apiKey.org();
      case "{typeId}", "{type}" -> fixtureDevice ? device.type() : "probe-type";
      case "{deviceId}", "{id}", "{device}" -> fixtureDevice ? device.id() : "probe-device";
      case "{adapter}" -> "ibm-http";
      case "{file}" -> "swagger-ui.css";
      case "{consoleFile}" -> "console.css";
      case "{module}" -> "app.js";
      case "{uplotFile}" -> "uPlot.esm.js";
      // ids of the form the routes take, so that a probe reaches the operation behind them
      case "{bridgeId}", "{webhookId}" -> "00000000-0000-4000-8000-000000000000";
      default -> "probe-" + segment.substring(1, segment.length() - 1).toLowerCase();
    };
  }

  private TestNode.Response probe(String method, String path, JsonNode definition) {
    TestNode.RequestBuilder request = node.request(method, path).organization(apiKey.org());
    switch (scheme(definition)) {
      case "apiKey" -> request.basic(apiKey.key(), apiKey.token());
      case "operatorToken" -> request.operator();
      case "deviceToken" -> request.basic("use-token-auth", device.token());
      case "honoDevice" -> request.basic(HONO_AUTH_ID + "@" + apiKey.org(), HONO_SECRET);
      default -> {}
    }
    if (!method.equals("GET") && !method.equals("DELETE")) {
      // a media type no endpoint takes: writes are refused before anything is recorded
      request.body("application/x-entwine-probe", "-".getBytes(StandardCharsets.UTF_8));
    }
    return request.send();
  }

  /**
   * A query parameter no operation takes for an unending stream, which a probe could not read to
   * its end: the stream's route answers it with 400 at once, and so shows it is there.
   */
  private static String probeQuery(JsonNode definition) {
    return definition.path("responses").path("200").path("content").has("text/event-stream")
        ? "?probe-parameter=1"
        : "";
  }

  /** The first security scheme the operation names, "" for none. */
  private static String scheme(JsonNode definition) {
    for (JsonNode requirement : definition.path("security")) {
      if (requirement.fieldNames().hasNext()) {
        return requirement.fieldNames().next();
      }
    }
    return "";
  }
}
