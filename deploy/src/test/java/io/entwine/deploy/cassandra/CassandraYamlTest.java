package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CassandraYamlTest {

  private final CassandraSettings settings =
      CassandraSettings.defaults(Path.of("/var/lib/entwine/cassandra")).withNativePort(19042);

  @Test
  void bindsBothPortsOnTheListenAddressAndSeedsItself() {
    List<String> lines = CassandraYaml.render(settings, 17000).lines().toList();

    assertTrue(lines.contains("listen_address: 127.0.0.1"));
    assertTrue(lines.contains("rpc_address: 127.0.0.1"));
    assertTrue(lines.contains("native_transport_port: 19042"));
    assertTrue(lines.contains("storage_port: 17000"));
    assertTrue(lines.contains("      - seeds: '127.0.0.1:17000'"));
    assertTrue(lines.contains("start_native_transport: true"));
  }

  @Test
  void keepsEveryDirectoryBelowTheDataDirectory() {
    List<String> lines = CassandraYaml.render(settings, 7000).lines().toList();

    assertTrue(lines.contains("  - '/var/lib/entwine/cassandra/data'"));
    for (String key : List.of("commitlog", "saved_caches", "hints", "cdc_raw")) {
      assertTrue(
          lines.stream()
              .anyMatch(
                  line ->
                      line.equals(
                          directoryKey(key) + ": '/var/lib/entwine/cassandra/" + key + "'")),
          key);
    }
  }

  @Test
  void configuresADevelopmentNodeWithoutAuthentication() {
    List<String> lines = CassandraYaml.render(settings, 7000).lines().toList();

    assertTrue(lines.contains("cluster_name: 'entwine'"));
    assertTrue(lines.contains("num_tokens: 16"));
    assertTrue(lines.contains("endpoint_snitch: SimpleSnitch"));
    assertTrue(lines.contains("authenticator: AllowAllAuthenticator"));
    assertTrue(lines.contains("authorizer: AllowAllAuthorizer"));
  }

  @Test
  void acknowledgesAWriteOnlyOnceItIsInTheCommitLogFile() {
    List<String> lines = CassandraYaml.render(settings, 7000).lines().toList();

    assertTrue(lines.contains("commitlog_sync: batch"));
    assertTrue(lines.contains("commitlog_disk_access_mode: direct"));
    assertFalse(lines.stream().anyMatch(line -> line.startsWith("commitlog_sync_period")));
    assertTrue(
        CassandraYaml.render(settings, 7000, CommitLogAccess.MMAP)
            .lines()
            .toList()
            .contains("commitlog_disk_access_mode: mmap"));
  }

  @Test
  void quotesPathsForYaml() {
    String yaml = CassandraYaml.render(CassandraSettings.defaults(Path.of("/tmp/it's here")), 7000);

    assertTrue(yaml.contains("commitlog_directory: '/tmp/it''s here/commitlog'"));
    assertFalse(yaml.contains("${"));
  }

  private static String directoryKey(String dir) {
    return dir.equals("commitlog") ? "commitlog_directory" : dir + "_directory";
  }
}
