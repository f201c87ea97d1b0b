package io.entwine.http.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The path segments the route sources match literally: the string given to pekko-http's {@code
 * path}, {@code pathPrefix}, {@code segment} and {@code slash}, written out or as a {@code static
 * final String} constant of the same source tree. A route the OpenAPI document lacks almost always
 * brings a segment no documented path has; this finds it without running the route.
 */
public final class RouteSourceSegments {
  // path and pathPrefix unqualified (JsonNode.path is not a route), slash on a matcher
  private static final String MATCHER =
      "(?:(?<![.\\w])(?:path|pathPrefix|segment)|PathMatchers\\.segment|\\.slash)\\(\\s*";
  private static final Pattern LITERAL = Pattern.compile(MATCHER + "\"([^\"]+)\"");
  private static final Pattern CONSTANT_USE =
      Pattern.compile(MATCHER + "(?:\\w+\\.)?([A-Z][A-Z0-9_]*)\\s*[,)]");
  private static final Pattern CONSTANT_DEFINITION =
      Pattern.compile("static final String ([A-Z][A-Z0-9_]*)\\s*=\\s*\"([^\"]*)\"");

  private RouteSourceSegments() {}

  /** Each segment of a literal (a literal may hold several, "api/v0002") → the files using it. */
  public static Map<String, Set<String>> in(Path... sourceRoots) {
    // a constant of the file itself first, else one of that name anywhere in the roots
    Map<String, String> constants = new TreeMap<>();
    Map<Path, String> sources = new TreeMap<>();
    for (Path root : sourceRoots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          String text = Files.readString(file);
          sources.put(file, text);
          Matcher definition = CONSTANT_DEFINITION.matcher(text);
          while (definition.find()) {
            constants.putIfAbsent(definition.group(1), definition.group(2));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Map<String, Set<String>> segments = new TreeMap<>();
    sources.forEach(
        (file, text) -> {
          String name = file.getFileName().toString();
          Matcher literal = LITERAL.matcher(text);
          while (literal.find()) {
            add(segments, literal.group(1), name);
          }
          Map<String, String> own = new TreeMap<>();
          Matcher definition = CONSTANT_DEFINITION.matcher(text);
          while (definition.find()) {
            own.put(definition.group(1), definition.group(2));
          }
          Matcher constant = CONSTANT_USE.matcher(text);
          while (constant.find()) {
            String value = own.getOrDefault(constant.group(1), constants.get(constant.group(1)));
            if (value != null) {
              add(segments, value, name);
            }
          }
        });
    return segments;
  }

  private static void add(Map<String, Set<String>> segments, String literal, String file) {
    for (String segment : OpenApiOperations.segments(literal)) {
      segments.computeIfAbsent(segment, s -> new TreeSet<>()).add(file);
    }
  }
}
