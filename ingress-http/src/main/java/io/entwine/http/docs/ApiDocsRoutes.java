package io.entwine.http.docs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The API's contract without authentication: the OpenAPI document ({@code openapi/openapi.yaml} in
 * the jar) at {@code GET /api/openapi.yaml} and, converted once, {@code GET /api/openapi.json}; and
 * its reference page at {@code GET /api/docs}, swagger-ui's static files taken from the swagger-ui
 * webjar on the classpath, so nothing is loaded from a CDN.
 */
public final class ApiDocsRoutes extends AllDirectives {
  /** Where the document is kept; the contract tests read it from here too. */
  public static final String DOCUMENT = "openapi/openapi.yaml";

  private static final String PAGE = "openapi/page/";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final ContentType.WithFixedCharset YAML =
      MediaTypes.applicationWithFixedCharset("yaml", HttpCharsets.UTF_8, "yaml").toContentType();

  private final byte[] yaml;
  private final byte[] json;
  private final String swaggerUi;

  public ApiDocsRoutes() {
    this.yaml = resource(DOCUMENT);
    this.json = asJson(yaml);
    this.swaggerUi = WEBJAR + swaggerUiVersion() + "/";
  }

  public Route route() {
    return pathPrefix(
        "api",
        () ->
            get(
                () ->
                    concat(
                        path(
                            "openapi.json",
                            () ->
                                complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, json))),
                        path("openapi.yaml", () -> complete(HttpEntities.create(YAML, yaml))),
                        pathPrefix("docs", this::page))));
  }

  private Route page() {
    return concat(
        pathEndOrSingleSlash(
            () -> getFromResource(PAGE + "index.html", ContentTypes.TEXT_HTML_UTF8)),
        path("entwine-docs.js", () -> getFromResource(PAGE + "entwine-docs.js")),
        pathPrefix("assets", () -> getFromResourceDirectory(swaggerUi)));
  }

  private static byte[] asJson(byte[] yaml) {
    try {
      return new ObjectMapper().writeValueAsBytes(new YAMLMapper().readTree(yaml));
    } catch (IOException e) {
      throw new UncheckedIOException("The OpenAPI document " + DOCUMENT + " is not YAML", e);
    }
  }

  /** The webjar's version names its directory; its Maven properties say which it is. */
  private static String swaggerUiVersion() {
    Properties properties = new Properties();
    try (InputStream in = stream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }

  private static byte[] resource(String name) {
    try (InputStream in = stream(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream stream(String name) {
    InputStream in = ApiDocsRoutes.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("Missing from the classpath: " + name);
    }
    return in;
  }
}
