package io.entwine.deploy.cluster;

import static io.entwine.deploy.cluster.RestrictedProfile.map;
import static io.entwine.deploy.cluster.RestrictedProfile.maps;
import static io.entwine.deploy.cluster.RestrictedProfile.podSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.HelmChart;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code deploy/k8s} as written and the Helm chart {@code deploy/helm/entwine} as rendered meet the
 * Kubernetes "restricted" Pod Security Standard with read-only root filesystems, carry the
 * app.kubernetes.io labels, and let only TLS in from outside the cluster ({@link
 * RestrictedProfile}); the chart's values reach the manifests.
 */
class RestrictedProfileTest {
  private static final Path K8S = Path.of("k8s");
  private static final String CHART_VALUES =
      """
      replicaCount: 5
      image: {repository: registry.example.com/entwine, digest: "sha256:%s"}
      resources: {requests: {cpu: "2", memory: 4Gi}, limits: {memory: 4Gi}}
      cassandra: {contactPoints: [db-1.example.com, db-2.example.com], datacenter: eu1}
      secrets: {adminToken: admin-token-of-the-test, secretKey: %s}
      tls: {cert: "-----BEGIN CERTIFICATE-----", key: "-----BEGIN PRIVATE KEY-----"}
      """
          .formatted("0".repeat(64), Base64.getEncoder().encodeToString(new byte[32]));

  @TempDir Path tmp;

  @Test
  void theManifestsPodsAreRestricted() throws IOException {
    RestrictedProfile k8s = new RestrictedProfile(manifests(), "deploy/k8s");
    k8s.assertPodsAreRestricted();
    k8s.assertRecommendedLabels();
    assertTrue(k8s.all("StatefulSet").size() == 1, "the example Cassandra is checked too");
  }

  @Test
  void theManifestsLetOnlyTlsInFromOutsideTheCluster() throws IOException {
    RestrictedProfile k8s = new RestrictedProfile(manifests(), "deploy/k8s");
    k8s.assertOnlyTlsLeavesTheCluster(podTemplate(k8s.one("Deployment")));
    assertTheNodeWritesToVolumesAndReadsTlsFromTheSecret(k8s);
  }

  @Test
  void theRenderedChartIsRestricted() throws IOException {
    RestrictedProfile chart = new RestrictedProfile(renderChart(CHART_VALUES), "Helm chart");
    chart.assertPodsAreRestricted();
    chart.assertRecommendedLabels();
    chart.assertOnlyTlsLeavesTheCluster(podTemplate(chart.one("Deployment")));
    assertTheNodeWritesToVolumesAndReadsTlsFromTheSecret(chart);
  }

  @Test
  void theChartsValuesReachTheManifests() throws IOException {
    RestrictedProfile chart = new RestrictedProfile(renderChart(CHART_VALUES), "Helm chart");
    Map<String, Object> deployment = chart.one("Deployment");
    assertEquals(5, map(deployment.get("spec")).get("replicas"));
    Map<String, Object> container = maps(podSpec(deployment).get("containers")).get(0);
    assertEquals("registry.example.com/entwine@sha256:" + "0".repeat(64), container.get("image"));
    assertEquals("4Gi", map(map(container.get("resources")).get("limits")).get("memory"));

    Map<String, Object> config = map(chart.one("ConfigMap").get("data"));
    assertEquals(
        "db-1.example.com,db-2.example.com", config.get("ENTWINE_CASSANDRA_CONTACT_POINTS"));
    assertEquals("eu1", config.get("ENTWINE_CASSANDRA_DATACENTER"));
    assertEquals("5", config.get("ENTWINE_REQUIRED_CONTACT_POINTS"));
    Map<String, Object> secrets = secret(chart, "Opaque");
    assertEquals(
        "admin-token-of-the-test", decode(map(secrets.get("data")).get("ENTWINE_ADMIN_TOKEN")));
    assertEquals(
        "-----BEGIN CERTIFICATE-----",
        decode(map(secret(chart, "kubernetes.io/tls").get("data")).get("tls.crt")));
  }

  @Test
  void theChartReferencesExistingSecretsInsteadOfMakingThem() throws IOException {
    RestrictedProfile chart =
        new RestrictedProfile(
            renderChart(
                "secrets: {existingSecret: vault-synced}\ntls: {existingSecret: cert-manager-tls}\n"),
            "Helm chart");
    assertTrue(chart.all("Secret").isEmpty(), "no Secret rendered");
    Map<String, Object> pod = podSpec(chart.one("Deployment"));
    Map<String, Object> container = maps(pod.get("containers")).get(0);
    assertTrue(
        maps(container.get("envFrom")).stream()
            .anyMatch(
                s ->
                    s.containsKey("secretRef")
                        && "vault-synced".equals(map(s.get("secretRef")).get("name"))));
    assertTrue(
        maps(pod.get("volumes")).stream()
            .anyMatch(
                v ->
                    v.containsKey("secret")
                        && "cert-manager-tls".equals(map(v.get("secret")).get("secretName"))));
  }

  @Test
  void theChartRefusesToRenderWithoutTheSecretKey() throws IOException {
    Path values = tmp.resolve("no-secret-key.yaml");
    Files.writeString(values, "secrets: {adminToken: t}\ntls: {existingSecret: some-tls}\n");
    String refusal = HelmChart.refusal(values);
    assertTrue(refusal.contains("secrets.secretKey"), refusal);
  }

  @Test
  void theChartSetsTheSameNodeVariablesAsTheManifests() throws IOException {
    RestrictedProfile k8s = new RestrictedProfile(manifests(), "deploy/k8s");
    RestrictedProfile chart = new RestrictedProfile(renderChart(CHART_VALUES), "Helm chart");
    assertEquals(nodeVariables(k8s).keySet(), nodeVariables(chart).keySet());
  }

  private static void assertTheNodeWritesToVolumesAndReadsTlsFromTheSecret(
      RestrictedProfile profile) {
    Map<String, Object> pod = podSpec(profile.one("Deployment"));
    Map<String, Object> container = maps(pod.get("containers")).get(0);
    Map<String, String> env = nodeVariables(profile);
    RestrictedProfile.assertWritable(container, env.get("ENTWINE_DATA_DIR"), "the data directory");
    String tlsVolume =
        maps(pod.get("volumes")).stream()
            .filter(v -> v.containsKey("secret"))
            .map(RestrictedProfile::name)
            .findFirst()
            .orElseThrow(() -> new AssertionError("a Secret volume for TLS"));
    String tlsDirectory =
        maps(container.get("volumeMounts")).stream()
            .filter(m -> tlsVolume.equals(m.get("name")))
            .map(m -> (String) m.get("mountPath"))
            .findFirst()
            .orElseThrow();
    assertEquals(tlsDirectory + "/tls.crt", env.get("ENTWINE_TLS_CERT"));
    assertEquals(tlsDirectory + "/tls.key", env.get("ENTWINE_TLS_KEY"));
    assertEquals("8443", env.get("ENTWINE_HTTPS_PORT"));
  }

  /** The container's env and its ConfigMap's entries (the Secret's names are fixed). */
  private static Map<String, String> nodeVariables(RestrictedProfile profile) {
    Map<String, String> env = new HashMap<>();
    map(profile.one("ConfigMap").get("data")).forEach((k, v) -> env.put(k, String.valueOf(v)));
    Map<String, Object> container =
        maps(podSpec(profile.one("Deployment")).get("containers")).get(0);
    for (Map<String, Object> variable : maps(container.get("env"))) {
      env.put((String) variable.get("name"), String.valueOf(variable.get("value")));
    }
    return env;
  }

  private static Map<String, Object> podTemplate(Map<String, Object> workload) {
    return map(map(workload.get("spec")).get("template"));
  }

  private static Map<String, Object> secret(RestrictedProfile profile, String type) {
    return profile.all("Secret").stream()
        .filter(s -> type.equals(s.get("type")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("a Secret of type " + type));
  }

  private static String decode(Object base64) {
    return new String(Base64.getDecoder().decode((String) base64));
  }

  private static List<Map<String, Object>> manifests() throws IOException {
    List<Map<String, Object>> documents = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> listed = Files.list(K8S)) {
      files =
          listed
              .filter(p -> p.toString().endsWith(".yaml"))
              .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
              .sorted()
              .toList();
    }
    assertFalse(files.isEmpty(), "manifests in " + K8S.toAbsolutePath());
    for (Path file : files) {
      try (Reader reader = Files.newBufferedReader(file)) {
        new Yaml().loadAll(reader).forEach(d -> documents.add(map(d)));
      }
    }
    return documents;
  }

  private List<Map<String, Object>> renderChart(String values) throws IOException {
    Path file = Files.createTempFile(tmp, "values-", ".yaml");
    Files.writeString(file, values);
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : new Yaml().loadAll(HelmChart.render(file))) {
      if (document != null) {
        documents.add(map(document));
      }
    }
    return documents;
  }
}
