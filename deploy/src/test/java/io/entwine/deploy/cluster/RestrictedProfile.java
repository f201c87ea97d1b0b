package io.entwine.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Kubernetes manifests checked against the "restricted" Pod Security Standard (Kubernetes
 * documentation, "Pod Security Standards") and what Entwine adds to it: read-only root filesystems
 * with writable volumes where a container writes, the app.kubernetes.io labels, and a NetworkPolicy
 * that lets only HTTPS, MQTTS and wss:// in from outside the cluster.
 */
final class RestrictedProfile {
  static final Set<String> WORKLOAD_KINDS =
      Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");
  private static final Set<String> RESTRICTED_VOLUME_TYPES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");
  private static final Set<String> RECOMMENDED_LABELS =
      Set.of(
          "app.kubernetes.io/name",
          "app.kubernetes.io/instance",
          "app.kubernetes.io/version",
          "app.kubernetes.io/part-of");
  private static final Set<String> TLS_PORTS = Set.of("https", "mqtts", "mqtt-ws");
  private static final Set<String> IN_CLUSTER_PORTS = Set.of("http", "mqtt", "management");

  private final List<Map<String, Object>> documents;
  private final String source;

  RestrictedProfile(List<Map<String, Object>> documents, String source) {
    this.documents = documents;
    this.source = source;
  }

  /** Every workload's pods: non-root, no privilege escalation, no capabilities, seccomp. */
  void assertPodsAreRestricted() {
    List<Map<String, Object>> workloads =
        documents.stream().filter(d -> WORKLOAD_KINDS.contains(d.get("kind"))).toList();
    assertFalse(workloads.isEmpty(), source + ": workloads");
    for (Map<String, Object> workload : workloads) {
      String what = source + " " + workload.get("kind") + "/" + name(workload);
      Map<String, Object> pod = podSpec(workload);
      for (String hostNamespace : List.of("hostNetwork", "hostPID", "hostIPC")) {
        assertNotEquals(Boolean.TRUE, pod.get(hostNamespace), what + " " + hostNamespace);
      }
      for (Map<String, Object> volume : maps(pod.get("volumes"))) {
        Set<String> types = new HashSet<>(volume.keySet());
        types.remove("name");
        assertTrue(RESTRICTED_VOLUME_TYPES.containsAll(types), what + " volume " + volume);
      }
      Map<String, Object> podContext = optionalMap(pod.get("securityContext"));
      assertNotEquals(0, podContext.get("runAsUser"), what + " runs as root");
      for (Map<String, Object> init : maps(pod.get("initContainers"))) {
        assertContainerIsRestricted(init, podContext, what + " init container " + name(init));
      }
      List<Map<String, Object>> containers = maps(pod.get("containers"));
      assertFalse(containers.isEmpty(), what + " containers");
      for (Map<String, Object> container : containers) {
        String which = what + " container " + name(container);
        assertContainerIsRestricted(container, podContext, which);
        // the JVMs' java.io.tmpdir (Netty's native library, Vert.x's file cache, JNA)
        assertWritable(container, "/tmp", which);
      }
    }
  }

  private static void assertContainerIsRestricted(
      Map<String, Object> container, Map<String, Object> podContext, String what) {
    Map<String, Object> context = optionalMap(container.get("securityContext"));
    assertEquals(
        Boolean.TRUE,
        context.getOrDefault("runAsNonRoot", podContext.get("runAsNonRoot")),
        what + " runAsNonRoot");
    assertNotEquals(0, context.get("runAsUser"), what + " runs as root");
    Object seccomp =
        optionalMap(context.getOrDefault("seccompProfile", podContext.get("seccompProfile")))
            .get("type");
    assertTrue(
        "RuntimeDefault".equals(seccomp) || "Localhost".equals(seccomp),
        what + " seccompProfile " + seccomp);
    assertEquals(Boolean.FALSE, context.get("allowPrivilegeEscalation"), what);
    assertNotEquals(Boolean.TRUE, context.get("privileged"), what + " privileged");
    Map<String, Object> capabilities = optionalMap(context.get("capabilities"));
    assertTrue(strings(capabilities.get("drop")).contains("ALL"), what + " drops ALL");
    assertTrue(
        Set.of("NET_BIND_SERVICE").containsAll(strings(capabilities.get("add"))),
        what + " adds only NET_BIND_SERVICE");
    for (Map<String, Object> port : maps(container.get("ports"))) {
      assertFalse(port.containsKey("hostPort"), what + " hostPort " + port);
    }
    assertEquals(Boolean.TRUE, context.get("readOnlyRootFilesystem"), what);
  }

  /** {@code path} is a writable volume of {@code container} (the root filesystem is read-only). */
  static void assertWritable(Map<String, Object> container, String path, String what) {
    assertTrue(
        maps(container.get("volumeMounts")).stream()
            .anyMatch(
                m -> path.equals(m.get("mountPath")) && !Boolean.TRUE.equals(m.get("readOnly"))),
        what + " has a writable volume at " + path);
  }

  /** Every object carries the recommended labels; pod templates too. */
  void assertRecommendedLabels() {
    for (Map<String, Object> document : documents) {
      Set<String> labels = optionalMap(map(document.get("metadata")).get("labels")).keySet();
      assertTrue(
          labels.containsAll(RECOMMENDED_LABELS),
          source + " " + document.get("kind") + "/" + name(document) + " labels " + labels);
      if (WORKLOAD_KINDS.contains(document.get("kind"))) {
        Map<String, Object> template = map(map(document.get("spec")).get("template"));
        Set<String> podLabels = map(map(template.get("metadata")).get("labels")).keySet();
        assertTrue(podLabels.containsAll(RECOMMENDED_LABELS), source + " pod labels " + podLabels);
      }
    }
  }

  /**
   * From outside the cluster only the TLS ports are reachable, through the NetworkPolicy and
   * through Services that leave the cluster; the management port and plain HTTP/MQTT only from
   * pods; remoting only from Entwine's pods.
   */
  void assertOnlyTlsLeavesTheCluster(Map<String, Object> entwinePod) {
    Map<String, Object> podLabels = map(map(entwinePod.get("metadata")).get("labels"));
    Map<String, Object> container = maps(map(entwinePod.get("spec")).get("containers")).get(0);
    Map<String, Integer> ports = new HashMap<>();
    maps(container.get("ports"))
        .forEach(p -> ports.put((String) p.get("name"), (Integer) p.get("containerPort")));
    assertTrue(ports.keySet().containsAll(TLS_PORTS), source + " container ports " + ports);

    Map<String, Object> policy = one("NetworkPolicy");
    Map<String, Object> spec = map(policy.get("spec"));
    map(map(spec.get("podSelector")).get("matchLabels"))
        .forEach(
            (k, v) -> assertEquals(v, podLabels.get(k), source + " NetworkPolicy selects " + k));
    assertTrue(strings(spec.get("policyTypes")).contains("Ingress"), source + " policyTypes");
    Set<String> open = new HashSet<>();
    Set<String> fromPods = new HashSet<>();
    for (Map<String, Object> rule : maps(spec.get("ingress"))) {
      List<Map<String, Object>> peers = maps(rule.get("from"));
      List<Map<String, Object>> rulePorts = maps(rule.get("ports"));
      assertFalse(rulePorts.isEmpty(), source + " a rule without ports opens every port");
      Set<String> named = new HashSet<>();
      for (Map<String, Object> port : rulePorts) {
        named.add(portName(port.get("port"), ports));
      }
      if (peers.isEmpty()) {
        open.addAll(named);
      } else {
        for (Map<String, Object> peer : peers) {
          assertFalse(peer.containsKey("ipBlock"), source + " addresses outside the cluster");
        }
        fromPods.addAll(named);
      }
    }
    assertEquals(TLS_PORTS, open, source + " ports open to anyone");
    assertTrue(fromPods.containsAll(IN_CLUSTER_PORTS), source + " in-cluster ports " + fromPods);
    assertTrue(fromPods.contains("remoting"), source + " remoting between the nodes");

    Set<String> exposed = new HashSet<>();
    for (Map<String, Object> service : all("Service")) {
      Map<String, Object> serviceSpec = map(service.get("spec"));
      if (!podLabels.entrySet().containsAll(map(serviceSpec.get("selector")).entrySet())) {
        continue;
      }
      boolean leavesTheCluster = !"ClusterIP".equals(serviceSpec.getOrDefault("type", "ClusterIP"));
      for (Map<String, Object> port : maps(serviceSpec.get("ports"))) {
        String target = portName(port.getOrDefault("targetPort", port.get("port")), ports);
        assertNotEquals("management", target, source + " " + name(service) + " management");
        if (leavesTheCluster) {
          assertTrue(
              TLS_PORTS.contains(target), source + " " + name(service) + " exposes " + target);
        }
        exposed.add(target);
      }
    }
    assertTrue(exposed.containsAll(List.of("https", "mqtts")), source + " Services " + exposed);
  }

  private static String portName(Object port, Map<String, Integer> ports) {
    if (port instanceof String named) {
      assertTrue(ports.containsKey(named), "a container port named " + named);
      return named;
    }
    return ports.entrySet().stream()
        .filter(e -> e.getValue().equals(port))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port " + port));
  }

  // ---- YAML navigation ----

  List<Map<String, Object>> all(String kind) {
    return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  Map<String, Object> one(String kind) {
    List<Map<String, Object>> found = all(kind);
    assertEquals(1, found.size(), source + ": one " + kind);
    return found.get(0);
  }

  static Map<String, Object> podSpec(Map<String, Object> workload) {
    return map(map(map(workload.get("spec")).get("template")).get("spec"));
  }

  static String name(Map<String, Object> object) {
    return (String)
        (object.containsKey("metadata") ? map(object.get("metadata")) : object).get("name");
  }

  private static Map<String, Object> optionalMap(Object value) {
    return value == null ? Map.of() : map(value);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    assertNotNull(value, "a mapping");
    assertTrue(value instanceof Map, "a mapping: " + value);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  @SuppressWarnings("unchecked")
  static List<String> strings(Object value) {
    return value == null
        ? List.of()
        : ((List<Object>) value).stream().map(Objects::toString).toList();
  }
}
