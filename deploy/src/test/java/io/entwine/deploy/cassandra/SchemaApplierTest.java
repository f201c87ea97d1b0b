package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SchemaApplierTest {

  @Test
  void splitsOnSemicolonsAtLineEndAndDropsComments() {
    String script =
        """
        -- leading comment; with a semicolon
        CREATE TABLE IF NOT EXISTS ks.a (
          id text PRIMARY KEY); -- trailing comment
        // another comment style
        CREATE TABLE IF NOT EXISTS ks.b (id text PRIMARY KEY);

        """;

    assertEquals(
        List.of(
            "CREATE TABLE IF NOT EXISTS ks.a (\n  id text PRIMARY KEY)",
            "CREATE TABLE IF NOT EXISTS ks.b (id text PRIMARY KEY)"),
        SchemaApplier.statements(script));
  }

  @Test
  void keepsSemicolonsAndCommentMarkersInsideQuotes() {
    String script =
        "INSERT INTO ks.t (k, v) VALUES ('a;b', 'it''s -- not a comment');\n"
            + "CREATE TABLE \"odd;name\" (k text PRIMARY KEY);";

    assertEquals(
        List.of(
            "INSERT INTO ks.t (k, v) VALUES ('a;b', 'it''s -- not a comment')",
            "CREATE TABLE \"odd;name\" (k text PRIMARY KEY)"),
        SchemaApplier.statements(script));
  }

  @Test
  void keepsALastStatementWithoutSemicolon() {
    assertEquals(
        List.of("CREATE KEYSPACE x", "DROP TABLE y"),
        SchemaApplier.statements("CREATE KEYSPACE x;\nDROP TABLE y\n-- done\n"));
  }

  @Test
  void rejectsAnUnterminatedString() {
    assertThrows(IllegalArgumentException.class, () -> SchemaApplier.statements("INSERT 'oops;"));
  }

  @Test
  void indexListsFileNamesIgnoringCommentsAndBlankLines() {
    assertEquals(
        List.of("001-a.cql", "002-b.cql"),
        SchemaApplier.listedNames("# comment\n\n001-a.cql\n  002-b.cql  \n"));
  }

  @Test
  void appliesAllListedFilesInNameOrderStartingWithTheKeyspace() {
    List<String> scripts = SchemaApplier.scriptNames(getClass().getClassLoader());

    assertEquals(scripts.stream().sorted().toList(), scripts);
    assertEquals(
        List.of(
            "cql/001-keyspace.cql",
            "cql/002-journal.cql",
            "cql/003-snapshot.cql",
            "cql/004-projections.cql"),
        scripts.subList(0, 4));
  }

  @Test
  void indexListsEveryCqlFileOfThisModule() throws IOException {
    Path cqlDir = Path.of("src", "main", "resources", "cql");
    List<String> listed = SchemaApplier.listedNames(Files.readString(cqlDir.resolve("index.txt")));
    try (Stream<Path> files = Files.list(cqlDir)) {
      List<String> present =
          files
              .map(file -> file.getFileName().toString())
              .filter(name -> name.endsWith(".cql"))
              .sorted()
              .toList();
      assertEquals(present, listed.stream().sorted().toList());
    }
  }

  @Test
  void everyListedStatementIsAnIdempotentCreateOrAddColumnInTheChosenKeyspace() throws IOException {
    Map<String, String> values =
        Map.of("keyspace", "it_ks", "replication", SchemaApplier.SINGLE_NODE_REPLICATION);
    for (String file : SchemaApplier.scriptNames(getClass().getClassLoader())) {
      String script =
          new String(
              getClass().getClassLoader().getResourceAsStream(file).readAllBytes(),
              StandardCharsets.UTF_8);
      for (String statement : SchemaApplier.statements(script)) {
        String filled = Placeholders.fill(statement, values);
        assertTrue(
            (filled.matches("(?s)CREATE [A-Z ]+ IF NOT EXISTS .*")
                    || filled.matches("(?s)ALTER TABLE it_ks\\.\\w+ ADD IF NOT EXISTS .*"))
                && filled.contains("it_ks"),
            file + ": " + filled);
      }
    }
  }
}
