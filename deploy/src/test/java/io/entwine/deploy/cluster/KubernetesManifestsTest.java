package io.entwine.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.entwine.deploy.EntwineNode;
import io.entwine.deploy.NodeStartup;
import io.entwine.deploy.ShardingReadiness;
import io.entwine.deploy.cassandra.CassandraSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Kubernetes runs here, so the manifests in {@code deploy/k8s} are checked for what a cluster
 * would refuse or silently get wrong: every file parses, the kinds are there, the probes hit the
 * management port's health checks, RBAC lets discovery list pods, selectors match the pods, every
 * environment variable is one the node reads, Services point at container ports, and the grace
 * period covers the coordinated shutdown.
 */
class KubernetesManifestsTest {
  private static final Path K8S = Path.of("k8s");

  /** Read by code rather than configuration files, or by the JVM. */
  private static final Set<String> ENV_READ_ELSEWHERE =
      Set.of(CassandraSettings.ENV_DATA_DIR, "JAVA_TOOL_OPTIONS");

  private static final List<Map<String, Object>> documents = new ArrayList<>();
  private static final Map<String, String> documentFile = new HashMap<>();

  @BeforeAll
  static void parseEveryManifest() throws IOException {
    List<Path> files;
    try (Stream<Path> listed = Files.list(K8S)) {
      files = listed.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "manifests in " + K8S.toAbsolutePath());
    for (Path file : files) {
      try (Reader reader = Files.newBufferedReader(file)) {
        for (Object document : new Yaml().loadAll(reader)) {
          assertTrue(document instanceof Map, file + ": a YAML mapping per document");
          Map<String, Object> manifest = map(document);
          if (file.getFileName().toString().equals("kustomization.yaml")) {
            continue;
          }
          assertNotNull(manifest.get("apiVersion"), file + ": apiVersion");
          assertNotNull(manifest.get("kind"), file + ": kind");
          assertNotNull(map(manifest.get("metadata")).get("name"), file + ": metadata.name");
          documents.add(manifest);
          documentFile.put(kind(manifest) + "/" + name(manifest), file.getFileName().toString());
        }
      }
    }
  }

  @Test
  void holdsEveryKindOfAProductionDeployment() {
    for (String kind :
        List.of(
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ConfigMap",
            "Secret",
            "Deployment",
            "PodDisruptionBudget",
            "StatefulSet")) {
      assertFalse(all(kind).isEmpty(), kind);
    }
    assertTrue(all("Service").size() >= 3, "HTTP, MQTT and the Cassandra example's Services");
  }

  @Test
  void kustomizationAppliesEntwineButNeitherTheExampleSecretNorTheExampleCassandra()
      throws IOException {
    Map<String, Object> kustomization;
    try (Reader reader = Files.newBufferedReader(K8S.resolve("kustomization.yaml"))) {
      kustomization = map(new Yaml().load(reader));
    }
    List<String> resources = strings(kustomization.get("resources"));
    for (String resource : resources) {
      assertTrue(Files.isRegularFile(K8S.resolve(resource)), resource);
    }
    assertFalse(resources.contains("secret.example.yaml"));
    assertFalse(resources.contains("cassandra-example.yaml"));
    for (String kind : List.of("Deployment", "Role", "RoleBinding", "PodDisruptionBudget")) {
      String file = documentFile.get(kind + "/" + name(one(kind)));
      assertTrue(resources.contains(file), kind + " in " + file + " is applied");
    }
  }

  @Test
  void probesAskThePekkoManagementHealthChecksOnTheManagementPort() {
    Config node = nodeConfig();
    Map<String, Object> container = entwineContainer();
    Map<String, Integer> ports = containerPorts(container);
    assertEquals(node.getInt("entwine.management.port"), ports.get("management"));

    String ready = "/" + node.getString("pekko.management.health-checks.readiness-path");
    String alive = "/" + node.getString("pekko.management.health-checks.liveness-path");
    assertProbe(container, "readinessProbe", ready, ports);
    assertProbe(container, "livenessProbe", alive, ports);
    assertProbe(container, "startupProbe", alive, ports);
    assertTrue(
        node.getConfig("pekko.management.health-checks.readiness-checks").hasPath("cassandra"),
        "readiness includes Cassandra");
    // Pekko's default sharding check watches no region; ours watches every region the node started
    assertEquals(
        ShardingReadiness.class.getName(),
        node.getString("pekko.management.health-checks.readiness-checks.sharding"));
    assertEquals(
        NodeStartup.Readiness.class.getName(),
        node.getString("pekko.management.health-checks.readiness-checks.entwine-started"));
  }

  @Test
  void discoveryFindsThePodsThroughTheKubernetesApi() {
    Map<String, String> env = containerEnv();
    assertEquals("kubernetes-api", env.get("ENTWINE_DISCOVERY"));
    Config node = nodeConfig();
    String selector =
        node.getString("pekko.discovery.kubernetes-api.pod-label-selector")
            .formatted(env.getOrDefault("ENTWINE_SERVICE_NAME", "entwine"));
    String[] label = selector.split("=", 2);
    assertEquals(label[1], podLabels().get(label[0]), "pods carry " + selector);
    assertEquals("management", env.get("PEKKO_CLUSTER_BOOTSTRAP_PORT_NAME"));
    assertTrue(containerPorts(entwineContainer()).containsKey("management"));

    Map<String, Object> deployment = one("Deployment");
    int replicas = (Integer) map(deployment.get("spec")).get("replicas");
    int required = Integer.parseInt(env.get("ENTWINE_REQUIRED_CONTACT_POINTS"));
    assertTrue(required >= 1 && required <= replicas, "required contact points <= replicas");
    assertTrue(
        podSpec().get("serviceAccountName") != null, "pods run as the service account of RBAC");
  }

  @Test
  void theClusterAddressIsThePodIp() {
    Map<String, Object> hostVariable =
        maps(entwineContainer().get("env")).stream()
            .filter(e -> "ENTWINE_CLUSTER_HOST".equals(e.get("name")))
            .findFirst()
            .orElseThrow();
    assertEquals(
        "status.podIP", map(map(hostVariable.get("valueFrom")).get("fieldRef")).get("fieldPath"));
  }

  @Test
  void rbacLetsTheServiceAccountGetWatchAndListPods() {
    Map<String, Object> role = one("Role");
    boolean podsReadable =
        maps(role.get("rules")).stream()
            .anyMatch(
                rule ->
                    strings(rule.get("resources")).contains("pods")
                        && strings(rule.get("verbs")).containsAll(List.of("get", "watch", "list"))
                        && strings(rule.get("apiGroups")).contains(""));
    assertTrue(podsReadable, "Role grants get/watch/list on pods");

    Map<String, Object> binding = one("RoleBinding");
    Map<String, Object> roleRef = map(binding.get("roleRef"));
    assertEquals("Role", roleRef.get("kind"));
    assertEquals(name(role), roleRef.get("name"));
    String account = (String) podSpec().get("serviceAccountName");
    assertTrue(
        maps(binding.get("subjects")).stream()
            .anyMatch(s -> "ServiceAccount".equals(s.get("kind")) && account.equals(s.get("name"))),
        "the binding names the pods' service account");
    assertTrue(
        all("ServiceAccount").stream().anyMatch(sa -> account.equals(name(sa))),
        "the service account exists");
  }

  @Test
  void selectorsOfDeploymentPdbAndServicesMatchThePodLabels() {
    Map<String, Object> labels = podLabels();
    Map<String, Object> deploymentSelector =
        map(map(map(one("Deployment").get("spec")).get("selector")).get("matchLabels"));
    assertSubset(deploymentSelector, labels, "Deployment selector");
    Map<String, Object> pdb = map(one("PodDisruptionBudget").get("spec"));
    assertSubset(map(map(pdb.get("selector")).get("matchLabels")), labels, "PDB selector");
    assertTrue(pdb.containsKey("maxUnavailable") || pdb.containsKey("minAvailable"));

    for (Map<String, Object> service : entwineServices()) {
      assertSubset(map(map(service.get("spec")).get("selector")), labels, name(service));
    }
  }

  @Test
  void servicesExposeHttpAndMqttOnContainerPorts() {
    Map<String, Integer> ports = containerPorts(entwineContainer());
    Set<Integer> exposed = new HashSet<>();
    for (Map<String, Object> service : entwineServices()) {
      for (Map<String, Object> port : maps(map(service.get("spec")).get("ports"))) {
        Object target = port.getOrDefault("targetPort", port.get("port"));
        Integer containerPort =
            target instanceof String named ? ports.get(named) : (Integer) target;
        assertNotNull(containerPort, name(service) + " targets " + target);
        assertTrue(ports.containsValue(containerPort), name(service) + " -> " + containerPort);
        exposed.add(containerPort);
      }
    }
    assertTrue(exposed.containsAll(List.of(8080, 1883, 8883, 8083)), "exposed: " + exposed);

    Map<String, String> env = containerEnv();
    assertEquals(ports.get("http"), Integer.valueOf(env.get("ENTWINE_HTTP_PORT")));
    assertEquals(ports.get("mqtt"), Integer.valueOf(env.get("ENTWINE_MQTT_PORT")));
    assertEquals(ports.get("mqtts"), Integer.valueOf(env.get("ENTWINE_MQTTS_PORT")));
    assertEquals(ports.get("mqtt-ws"), Integer.valueOf(env.get("ENTWINE_MQTT_WS_PORT")));
    assertEquals(ports.get("remoting"), Integer.valueOf(env.get("ENTWINE_CLUSTER_PORT")));
    assertEquals(ports.get("management"), Integer.valueOf(env.get("ENTWINE_MANAGEMENT_PORT")));
  }

  @Test
  void everyEnvironmentVariableIsOneTheNodeReads() throws IOException {
    Set<String> known = envNamesInNodeConfiguration();
    Map<String, String> env = containerEnv();
    for (String name : env.keySet()) {
      assertTrue(
          known.contains(name) || ENV_READ_ELSEWHERE.contains(name),
          name + " is not read by the node");
    }
    for (String required :
        List.of(
            "ENTWINE_CASSANDRA_CONTACT_POINTS",
            "ENTWINE_REQUIRED_CONTACT_POINTS",
            "ENTWINE_ADMIN_TOKEN",
            "ENTWINE_SECRET_KEY")) {
      assertTrue(env.containsKey(required), required);
    }
    Map<String, Object> secret = one("Secret");
    Set<String> secretKeys = new HashSet<>();
    secretKeys.addAll(map(secret.getOrDefault("stringData", Map.of())).keySet());
    secretKeys.addAll(map(secret.getOrDefault("data", Map.of())).keySet());
    assertEquals(Set.of("ENTWINE_ADMIN_TOKEN", "ENTWINE_SECRET_KEY"), secretKeys);
  }

  @Test
  void theGracePeriodCoversTheCoordinatedShutdown() {
    Config node = nodeConfig();
    Config phases = node.getConfig("pekko.coordinated-shutdown.phases");
    Duration defaultTimeout = node.getDuration("pekko.coordinated-shutdown.default-phase-timeout");
    Duration total = Duration.ZERO;
    for (String phase : phases.root().keySet()) {
      Config settings = phases.getConfig("\"" + phase + "\"");
      total =
          total.plus(
              settings.hasPath("timeout") ? settings.getDuration("timeout") : defaultTimeout);
    }
    int grace = (Integer) podSpec().get("terminationGracePeriodSeconds");
    assertTrue(
        grace >= total.toSeconds(),
        "terminationGracePeriodSeconds " + grace + " >= every phase's timeout, " + total);
  }

  @Test
  void theExampleCassandraRingMatchesTheContactPointsAndDatacenter() {
    Map<String, Object> statefulSet = one("StatefulSet");
    Map<String, Object> spec = map(statefulSet.get("spec"));
    String service = (String) spec.get("serviceName");
    Map<String, Object> headless =
        all("Service").stream().filter(s -> service.equals(name(s))).findFirst().orElseThrow();
    assertEquals("None", map(headless.get("spec")).get("clusterIP"), "a headless Service");
    int replicas = (Integer) spec.get("replicas");
    Map<String, String> env = containerEnv();
    for (String contactPoint : env.get("ENTWINE_CASSANDRA_CONTACT_POINTS").split(",")) {
      Matcher m =
          Pattern.compile(Pattern.quote(name(statefulSet)) + "-(\\d+)\\." + Pattern.quote(service))
              .matcher(contactPoint.strip());
      assertTrue(m.matches(), contactPoint);
      assertTrue(Integer.parseInt(m.group(1)) < replicas, contactPoint);
    }
    Map<String, Object> cassandra =
        maps(map(map(spec.get("template")).get("spec")).get("containers")).get(0);
    Map<String, String> cassandraEnv = new HashMap<>();
    maps(cassandra.get("env"))
        .forEach(e -> cassandraEnv.put((String) e.get("name"), (String) e.get("value")));
    assertEquals(cassandraEnv.get("CASSANDRA_DC"), env.get("ENTWINE_CASSANDRA_DATACENTER"));
    assertTrue(
        env.get("ENTWINE_CASSANDRA_REPLICATION")
            .contains("'" + env.get("ENTWINE_CASSANDRA_DATACENTER") + "'"));
  }

  // ---- the Entwine pod ----

  private static Config nodeConfig() {
    return EntwineNode.config(ConfigFactory.empty());
  }

  private static Map<String, Object> podSpec() {
    Map<String, Object> template = map(map(one("Deployment").get("spec")).get("template"));
    return map(template.get("spec"));
  }

  private static Map<String, Object> podLabels() {
    Map<String, Object> template = map(map(one("Deployment").get("spec")).get("template"));
    return map(map(template.get("metadata")).get("labels"));
  }

  private static Map<String, Object> entwineContainer() {
    return maps(podSpec().get("containers")).stream()
        .filter(c -> "entwine".equals(c.get("name")))
        .findFirst()
        .orElseThrow();
  }

  private static Map<String, Integer> containerPorts(Map<String, Object> container) {
    Map<String, Integer> ports = new HashMap<>();
    for (Map<String, Object> port : maps(container.get("ports"))) {
      String portName = (String) port.get("name");
      assertTrue(portName.length() <= 15, "port names are at most 15 characters: " + portName);
      ports.put(portName, (Integer) port.get("containerPort"));
    }
    return ports;
  }

  /** Every variable the container gets: env, and the ConfigMaps and Secrets of envFrom. */
  private static Map<String, String> containerEnv() {
    Map<String, Object> container = entwineContainer();
    Map<String, String> env = new HashMap<>();
    for (Map<String, Object> source : maps(container.get("envFrom"))) {
      if (source.containsKey("configMapRef")) {
        String ref = (String) map(source.get("configMapRef")).get("name");
        Map<String, Object> configMap = named("ConfigMap", ref);
        map(configMap.get("data")).forEach((k, v) -> env.put(k, String.valueOf(v)));
      }
      if (source.containsKey("secretRef")) {
        String ref = (String) map(source.get("secretRef")).get("name");
        Map<String, Object> secret = named("Secret", ref);
        map(secret.getOrDefault("stringData", Map.of()))
            .forEach((k, v) -> env.put(k, String.valueOf(v)));
        map(secret.getOrDefault("data", Map.of())).forEach((k, v) -> env.put(k, "(base64)"));
      }
    }
    for (Map<String, Object> variable : maps(container.get("env"))) {
      Object value = variable.get("value");
      env.put((String) variable.get("name"), value == null ? "(from valueFrom)" : value.toString());
    }
    return env;
  }

  private static List<Map<String, Object>> entwineServices() {
    return all("Service").stream()
        .filter(s -> "entwine".equals(map(map(s.get("spec")).get("selector")).get("app")))
        .toList();
  }

  private static void assertProbe(
      Map<String, Object> container, String probe, String path, Map<String, Integer> ports) {
    Map<String, Object> httpGet = map(map(container.get(probe)).get("httpGet"));
    assertEquals(path, httpGet.get("path"), probe);
    Object port = httpGet.get("port");
    Integer number = port instanceof String named ? ports.get(named) : (Integer) port;
    assertEquals(ports.get("management"), number, probe + " on the management port");
  }

  /**
   * The environment variables the node's configuration reads: {@code ${?NAME}} in every HOCON file
   * of the node (application.conf, its includes, each module's reference.conf) and {@code
   * ${NAME:-...}} in logback.xml.
   */
  private static Set<String> envNamesInNodeConfiguration() throws IOException {
    Set<String> names = new HashSet<>();
    Pattern hocon = Pattern.compile("\\$\\{\\?([A-Z][A-Z0-9_]*)\\}");
    Pattern logback = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):-");
    ClassLoader loader = KubernetesManifestsTest.class.getClassLoader();
    List<URL> files = new ArrayList<>();
    for (String resource :
        List.of("application.conf", "cluster.conf", "persistence.conf", "reference.conf")) {
      files.addAll(Collections.list(loader.getResources(resource)));
    }
    files.add(Path.of("src/main/resources/logback.xml").toUri().toURL());
    for (URL file : files) {
      String text;
      try (InputStream in = file.openStream()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      for (Pattern pattern : List.of(hocon, logback)) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  // ---- YAML navigation ----

  private static List<Map<String, Object>> all(String kind) {
    return documents.stream().filter(d -> kind.equals(kind(d))).toList();
  }

  private static Map<String, Object> one(String kind) {
    List<Map<String, Object>> found = all(kind);
    assertEquals(1, found.size(), "one " + kind);
    return found.get(0);
  }

  private static Map<String, Object> named(String kind, String name) {
    return all(kind).stream()
        .filter(d -> name.equals(name(d)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static String kind(Map<String, Object> manifest) {
    return (String) manifest.get("kind");
  }

  private static String name(Map<String, Object> manifest) {
    return (String) map(manifest.get("metadata")).get("name");
  }

  private static void assertSubset(
      Map<String, Object> selector, Map<String, Object> labels, String what) {
    assertFalse(selector.isEmpty(), what + " selects something");
    selector.forEach((k, v) -> assertEquals(v, labels.get(k), what + " " + k));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertTrue(value instanceof Map, "a mapping: " + value);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object value) {
    return value == null ? List.of() : (List<String>) value;
  }
}
