package io.entwine.http.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operations (method and path template) the OpenAPI document names, and whether a request's
 * method and concrete path is one of them: a template's {@code {name}} segment stands for any one
 * non-empty segment. The contract tests hold the routes against this list.
 */
public final class OpenApiOperations {
  public static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

  /** One documented operation, e.g. {@code GET /api/v0001/devices/{type}}. */
  public record Operation(String method, String template, JsonNode definition) {
    @Override
    public String toString() {
      return method + " " + template;
    }
  }

  private final JsonNode document;
  private final List<Operation> operations;

  private OpenApiOperations(JsonNode document) {
    this.document = document;
    this.operations = operationsOf(document);
  }

  /** The document as the node serves it, from the classpath. */
  public static OpenApiOperations fromClasspath() {
    try (InputStream in =
        OpenApiOperations.class.getClassLoader().getResourceAsStream(ApiDocsRoutes.DOCUMENT)) {
      if (in == null) {
        throw new IllegalStateException(ApiDocsRoutes.DOCUMENT + " is not on the classpath");
      }
      return new OpenApiOperations(new YAMLMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static OpenApiOperations of(JsonNode document) {
    return new OpenApiOperations(document);
  }

  public JsonNode document() {
    return document;
  }

  public List<Operation> operations() {
    return operations;
  }

  public Set<String> templates() {
    Set<String> templates = new TreeSet<>();
    document.path("paths").fieldNames().forEachRemaining(templates::add);
    return templates;
  }

  /** Whether the document has an operation for this method and concrete path. */
  public boolean documents(String method, String path) {
    return operations.stream()
        .anyMatch(op -> op.method().equals(method) && matches(op.template(), path));
  }

  /** The segments of the documented paths that are not parameters ("api", "devices", …). */
  public Set<String> literalSegments() {
    Set<String> literals = new TreeSet<>();
    for (String template : templates()) {
      for (String segment : segments(template)) {
        if (!isParameter(segment)) {
          literals.add(segment);
        }
      }
    }
    return literals;
  }

  public static boolean matches(String template, String path) {
    List<String> expected = segments(template);
    List<String> actual = segments(path);
    if (expected.size() != actual.size()) {
      return false;
    }
    for (int i = 0; i < expected.size(); i++) {
      String segment = expected.get(i);
      if (isParameter(segment) ? actual.get(i).isEmpty() : !segment.equals(actual.get(i))) {
        return false;
      }
    }
    return true;
  }

  public static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return segments;
  }

  public static boolean isParameter(String segment) {
    return segment.startsWith("{") && segment.endsWith("}");
  }

  private static List<Operation> operationsOf(JsonNode document) {
    List<Operation> operations = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
      for (String method : METHODS) {
        JsonNode definition = path.getValue().get(method.toLowerCase());
        if (definition != null) {
          operations.add(new Operation(method, path.getKey(), definition));
        }
      }
    }
    return operations;
  }
}
