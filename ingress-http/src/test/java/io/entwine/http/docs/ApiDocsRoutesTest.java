package io.entwine.http.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.entwine.http.JUnit5RouteTest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The document as YAML and JSON, and the reference page with every file it loads. */
class ApiDocsRoutesTest extends JUnit5RouteTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("ApiDocsRoutesTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  private final TestRoute docs;

  ApiDocsRoutesTest() {
    super(testKit.system());
    docs = testRoute(new ApiDocsRoutes().route());
  }

  @Test
  void servesTheDocumentAsJsonAndYamlWithTheSameContent() throws Exception {
    TestRouteResult json = docs.run(HttpRequest.GET("/api/openapi.json"));
    TestRouteResult yaml = docs.run(HttpRequest.GET("/api/openapi.yaml"));

    assertEquals(StatusCodes.OK, json.status());
    assertEquals("application/json", json.entity().getContentType().mediaType().toString());
    assertEquals(StatusCodes.OK, yaml.status());
    assertEquals("application/yaml", yaml.entity().getContentType().mediaType().toString());
    assertEquals(
        new YAMLMapper().readTree(yaml.entityBytes().toArray()),
        new ObjectMapper().readTree(json.entityBytes().toArray()));
    assertEquals(
        "3.1.0", new ObjectMapper().readTree(json.entityBytes().toArray()).get("openapi").asText());
  }

  @Test
  void servesThePageAndEveryScriptAndStylesheetItLoadsFromTheNode() {
    TestRouteResult page = docs.run(HttpRequest.GET("/api/docs"));
    assertEquals(StatusCodes.OK, page.status());
    assertEquals("text/html", page.entity().getContentType().mediaType().toString());
    assertEquals(StatusCodes.OK, docs.run(HttpRequest.GET("/api/docs/")).status());

    List<String> loaded = references(page.entityString());
    assertTrue(loaded.contains("/api/docs/assets/swagger-ui-bundle.js"), loaded.toString());
    for (String url : loaded) {
      assertTrue(url.startsWith("/api/docs/"), "loaded from elsewhere than the node: " + url);
      TestRouteResult asset = docs.run(HttpRequest.GET(url));
      assertEquals(StatusCodes.OK, asset.status(), url);
      assertEquals(expectedType(url), asset.entity().getContentType().mediaType().toString(), url);
      assertFalse(asset.entityBytes().isEmpty(), url);
    }
  }

  @Test
  void thePageAsksForTheNodesOwnDocumentAndNoValidator() {
    String script = docs.run(HttpRequest.GET("/api/docs/entwine-docs.js")).entityString();
    assertTrue(script.contains("url: \"/api/openapi.json\""), script);
    assertTrue(script.contains("validatorUrl: null"), script);
  }

  @Test
  void refusesWhatIsNotThere() {
    // an encoded "../" must not reach the rest of the classpath
    assertFalse(
        docs.run(HttpRequest.GET("/api/docs/assets/..%2F..%2F..%2F..%2F..%2Flogback-test.xml"))
            .status()
            .isSuccess());
    assertFalse(docs.run(HttpRequest.GET("/api/docs/assets/missing.js")).status().isSuccess());
  }

  private static List<String> references(String html) {
    List<String> urls = new ArrayList<>();
    Matcher matcher = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
    while (matcher.find()) {
      urls.add(matcher.group(1));
    }
    return urls;
  }

  private static String expectedType(String url) {
    if (url.endsWith(".js")) {
      return "application/javascript";
    }
    if (url.endsWith(".css")) {
      return "text/css";
    }
    return "image/png";
  }
}
