package io.entwine.deploy.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the project's CQL schema: every {@code cql/*.cql} resource, in name order, with {@code
 * ${keyspace}} and {@code ${replication}} filled in. All statements are {@code CREATE ... IF NOT
 * EXISTS} or {@code ALTER TABLE ... ADD IF NOT EXISTS}, so applying twice changes nothing.
 *
 * <p>The files are found through {@code cql/index.txt}: each module that contributes CQL files
 * lists them, one name per line, in its own {@code cql/index.txt} (the class path may hold several;
 * all are read). A file missing from an index is not applied.
 */
public final class SchemaApplier {

  public static final String INDEX = "cql/index.txt";

  /** Replication for a single local node. */
  public static final String SINGLE_NODE_REPLICATION =
      "{'class': 'SimpleStrategy', 'replication_factor': 1}";

  private static final Logger log = LoggerFactory.getLogger(SchemaApplier.class);
  private static final Pattern KEYSPACE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");
  // schema changes wait for agreement and can take seconds on a busy 2-core machine
  private static final Duration DDL_TIMEOUT = Duration.ofSeconds(60);

  private SchemaApplier() {}

  /**
   * Creates the keyspace and all tables that do not exist yet.
   *
   * <p>Give it a session with {@code advanced.metadata.schema.enabled = false} (as {@link
   * EmbeddedCassandra#openSession()} is): with schema metadata on, the driver waits about a second
   * after every DDL statement to refresh it.
   */
  public static void apply(CqlSession session, String keyspace, String replication) {
    requireKeyspaceName(keyspace);
    Map<String, String> values = Map.of("keyspace", keyspace, "replication", replication);
    ClassLoader classLoader = SchemaApplier.class.getClassLoader();
    for (String file : scriptNames(classLoader)) {
      for (String statement : statements(resourceText(classLoader, file))) {
        session.execute(
            SimpleStatement.newInstance(Placeholders.fill(statement, values))
                .setTimeout(DDL_TIMEOUT));
      }
      log.debug("Applied {} to keyspace {}", file, keyspace);
    }
    log.info("Schema applied to keyspace {}", keyspace);
  }

  /**
   * The resource paths of all CQL files listed by the {@code cql/index.txt} files, in name order.
   */
  static List<String> scriptNames(ClassLoader classLoader) {
    Map<String, URL> scriptsByName = new TreeMap<>();
    for (URL index : indexes(classLoader)) {
      for (String name : listedNames(readText(index))) {
        URL previous = scriptsByName.put(name, index);
        if (previous != null && !previous.equals(index)) {
          throw new IllegalStateException(
              "CQL file " + name + " is listed by both " + previous + " and " + index);
        }
      }
    }
    List<String> paths = new ArrayList<>();
    for (String name : scriptsByName.keySet()) {
      String path = "cql/" + name;
      if (classLoader.getResource(path) == null) {
        throw new IllegalStateException(
            path + " is listed in " + scriptsByName.get(name) + " but not on the class path");
      }
      paths.add(path);
    }
    return paths;
  }

  /** The file names an index lists, ignoring blank lines and {@code #} comments. */
  static List<String> listedNames(String indexText) {
    return indexText
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  /**
   * Splits a CQL script into statements: on {@code ;} outside string literals and quoted names,
   * dropping {@code --} and {@code //} line comments and blank statements.
   */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < script.length(); i++) {
      char c = script.charAt(i);
      if (quote != 0) {
        current.append(c);
        if (c == quote) {
          quote = 0; // a doubled quote reopens at the next character, which is the same quote
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        current.append(c);
      } else if (startsLineComment(script, i)) {
        i = endOfLine(script, i) - 1;
      } else if (c == ';') {
        addIfNotBlank(statements, current);
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("Unterminated " + quote + " quote in CQL script");
    }
    addIfNotBlank(statements, current);
    return statements;
  }

  private static boolean startsLineComment(String script, int i) {
    return script.startsWith("--", i) || script.startsWith("//", i);
  }

  private static int endOfLine(String script, int from) {
    int end = script.indexOf('\n', from);
    return end < 0 ? script.length() : end;
  }

  private static void addIfNotBlank(List<String> statements, StringBuilder statement) {
    String text = statement.toString().strip();
    if (!text.isEmpty()) {
      statements.add(text);
    }
  }

  private static void requireKeyspaceName(String keyspace) {
    if (keyspace == null || !KEYSPACE_NAME.matcher(keyspace).matches()) {
      throw new IllegalArgumentException(
          "Keyspace name must be a letter followed by up to 47 letters, digits or _: " + keyspace);
    }
  }

  private static List<URL> indexes(ClassLoader classLoader) {
    try {
      List<URL> indexes = Collections.list(classLoader.getResources(INDEX));
      if (indexes.isEmpty()) {
        throw new IllegalStateException("No " + INDEX + " on the class path");
      }
      return indexes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resourceText(ClassLoader classLoader, String path) {
    URL url = classLoader.getResource(path);
    if (url == null) {
      throw new IllegalStateException(path + " is not on the class path");
    }
    return readText(url);
  }

  private static String readText(URL url) {
    try (InputStream in = url.openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + url, e);
    }
  }
}
