package io.tidewatch.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The compose file, its Prometheus config and the Kubernetes manifests agree with the node: they set only variables
 * its configuration reads, use its ports and health routes, and run this version's image. The node's side is read
 * from the modules' {@code src/main/resources} (every {@code ${?TIDEWATCH_...}}, and the default written just
 * before each), so a renamed setting or a changed default fails here rather than in a cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentFilesTest {

  private static final String IMAGE_REPOSITORY = "tidewatch/tidewatch";
  private static final String HTTP_PORT = "TIDEWATCH_HTTP_PORT";
  private static final String MANAGEMENT_PORT = "TIDEWATCH_MANAGEMENT_PORT";
  private static final String REMOTE_PORT = "TIDEWATCH_REMOTE_PORT";
  private static final String PARTITIONS = "TIDEWATCH_READINGS_PARTITIONS";
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{\\??(TIDEWATCH_[A-Z0-9_]+)");
  // `key = default` directly followed by `key = ${?TIDEWATCH_X}` (STYLE §9): the default of TIDEWATCH_X.
  private static final Pattern OVERRIDDEN_DEFAULT = Pattern.compile(
      "(?m)^[ \\t]*([\\w.-]+)[ \\t]*=[ \\t]*(.+?)[ \\t]*\\R"
          + "[ \\t]*\\1[ \\t]*=[ \\t]*\\$\\{\\?(TIDEWATCH_[A-Z0-9_]+)\\}");
  // The actor system is named "tidewatch" (Node.SYSTEM_NAME, in a module deploy does not depend on).
  private static final Pattern SEED = Pattern.compile("pekko://tidewatch@([^:/]+):(\\d+)");

  private Path deploy;
  private Path repository;
  private final Set<String> nodeReads = new TreeSet<>();
  private final Map<String, String> defaults = new HashMap<>();
  private JsonNode compose;
  private final List<JsonNode> manifests = new ArrayList<>();

  @BeforeAll
  void readFiles() throws IOException {
    // Surefire runs in the module directory; an IDE may run in the repository root.
    Path here = Path.of("").toAbsolutePath();
    deploy = Files.isDirectory(here.resolve("compose")) ? here : here.resolve("deploy");
    repository = deploy.getParent();
    for (Path file : nodeConfigFiles()) {
      String text = Files.readString(file);
      ENV_REFERENCE.matcher(text).results().forEach(m -> nodeReads.add(m.group(1)));
      OVERRIDDEN_DEFAULT.matcher(text).results().forEach(m -> defaults.put(m.group(3), m.group(2).replace("\"", "")));
    }
    assertTrue(nodeReads.contains(HTTP_PORT),
        "no TIDEWATCH_ variables found under " + repository + "/*/src/main/resources");
    compose = YAML.readTree(deploy.resolve("compose/compose.yaml").toFile());
    try (Stream<Path> files = Files.list(deploy.resolve("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        if (!file.endsWith("kustomization.yaml")) {
          try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            documents.readAll().stream().filter(JsonNode::isObject).forEach(manifests::add);
          }
        }
      }
    }
  }

  @Test
  void composeSetsOnlyVariablesTheNodeReads() {
    List<String> unread = new ArrayList<>();
    nodeServices().forEach((name, service) -> composeEnv(service).keySet().stream()
        .filter(v -> v.startsWith("TIDEWATCH_") && !nodeReads.contains(v))
        .forEach(v -> unread.add(name + ": " + v)));
    assertEquals(List.of(), unread, "compose.yaml sets variables that no ${?...} in the node's configuration reads "
        + "(a typo, or a setting the node no longer has); the node reads " + nodeReads);
  }

  @Test
  void kubernetesSetsOnlyVariablesTheNodeReads() {
    Set<String> set = new TreeSet<>(kubernetesEnv().keySet());
    JsonNode secret = manifest("Secret");
    secret.path("stringData").properties().forEach(e -> set.add(e.getKey()));
    secret.path("data").properties().forEach(e -> set.add(e.getKey()));
    set.removeIf(v -> !v.startsWith("TIDEWATCH_") || nodeReads.contains(v));
    assertEquals(Set.of(), set, "the ConfigMap, Secret or Deployment in deploy/k8s set variables that no ${?...} in "
        + "the node's configuration reads; the node reads " + nodeReads);
  }

  @Test
  void composeNodesPublishTheirHttpAndManagementPortsAndCheckReady() {
    nodeServices().forEach((name, service) -> {
      Map<String, String> env = composeEnv(service);
      String http = effective(env, HTTP_PORT);
      String management = effective(env, MANAGEMENT_PORT);
      Set<String> published = new TreeSet<>();
      for (JsonNode port : service.path("ports")) {
        String mapping = port.isObject() ? port.path("target").asText() : port.asText();
        published.add(mapping.substring(mapping.lastIndexOf(':') + 1).replaceFirst("/.*", ""));
      }
      assertTrue(published.containsAll(List.of(http, management)), name + " publishes container ports " + published
          + ", not the node's HTTP port " + http + " and management port " + management + " (" + HTTP_PORT + ", "
          + MANAGEMENT_PORT + " or their defaults)");
      assertTrue(List.of(http, management, effective(env, REMOTE_PORT)).containsAll(published),
          name + " publishes container ports the node does not listen on: " + published);
      String check = String.join(" ", texts(service.at("/healthcheck/test")));
      assertTrue(check.contains(":" + management + "/ready"),
          name + "'s healthcheck must ask /ready on the management port " + management + ": " + check);
    });
  }

  @Test
  void composeNodesAdvertiseTheirServiceNameAndSeedFromEachOther() {
    Map<String, JsonNode> nodes = nodeServices();
    nodes.forEach((name, service) -> {
      Map<String, String> env = composeEnv(service);
      assertEquals(name, env.get("TIDEWATCH_REMOTE_HOST"),
          name + ": TIDEWATCH_REMOTE_HOST must be the service name, the address the other nodes reach it by");
      String seeds = env.getOrDefault("TIDEWATCH_SEED_NODES", "");
      assertFalse(seeds.isBlank(), name + " has no TIDEWATCH_SEED_NODES: it would form a cluster of its own");
      for (String seed : seeds.split(",")) {
        Matcher address = SEED.matcher(seed.trim());
        assertTrue(address.matches(), name + ": seed node '" + seed + "' must read pekko://tidewatch@host:port");
        JsonNode seedService = nodes.get(address.group(1));
        assertNotNull(seedService, name + ": seed node " + seed + " is not a Tidewatch service of compose.yaml");
        assertEquals(effective(composeEnv(seedService), REMOTE_PORT), address.group(2),
            name + ": seed node " + seed + " must name the remoting port of " + address.group(1));
      }
    });
  }

  @Test
  void composeMountsFilesThatExistAndTheSchema() {
    Path dir = deploy.resolve("compose");
    List<String> missing = new ArrayList<>();
    compose.path("services").properties().forEach(s -> bindSources(dir, s.getValue()).stream()
        .filter(source -> !Files.exists(source))
        .forEach(source -> missing.add(s.getKey() + ": " + source)));
    assertEquals(List.of(), missing, "compose.yaml mounts files that do not exist (paths are relative to " + dir + ")");
    Path schema = deploy.resolve("src/main/resources/ddl/tidewatch.cql");
    assertTrue(bindSources(dir, compose.at("/services/cassandra-init")).contains(schema),
        "cassandra-init must mount the schema " + schema);
  }

  @Test
  void kafkaInitCreatesTheTopicsOfLocalInfraAndShardsMatchTheReadingsPartitions() {
    JsonNode init = compose.at("/services/kafka-init");
    String script = String.join("\n", texts(init.path("entrypoint"))) + "\n"
        + String.join("\n", texts(init.path("command")));
    LocalInfra.DEFAULT_TOPICS.forEach((topic, count) -> assertTrue(
        Pattern.compile("--topic\\s+" + Pattern.quote(topic) + "\\s+--partitions\\s+" + count + "\\b")
            .matcher(script).find(),
        "kafka-init must create " + topic + " with " + count + " partitions (LocalInfra.DEFAULT_TOPICS)"));
    String readings = defaults.get("TIDEWATCH_READINGS_TOPIC");
    assertNotNull(LocalInfra.DEFAULT_TOPICS.get(readings),
        "the node's input topic " + readings + " is not in LocalInfra.DEFAULT_TOPICS");
    String partitions = String.valueOf(LocalInfra.DEFAULT_TOPICS.get(readings));
    nodeServices().forEach((name, service) -> assertEquals(partitions, effective(composeEnv(service), PARTITIONS),
        name + ": shards are aligned with the partitions of " + readings + " (" + PARTITIONS + " or its default)"));
    assertEquals(partitions, effective(kubernetesEnv(), PARTITIONS),
        "deploy/k8s: shards are aligned with the partitions of " + readings + " (" + PARTITIONS + " or its default)");
  }

  @Test
  void grafanaHasAWindowsDashboardPerEntityTypeOnTheProvisionedInfluxSource() throws IOException {
    Set<String> types = ConfigFactory.parseFile(repository.resolve("persistence/src/main/resources/entities.conf").toFile())
        .getConfig("tidewatch.entity-types").root().keySet();
    JsonNode sources = YAML.readTree(deploy.resolve("grafana/provisioning/datasources/tidewatch.yaml").toFile());
    String influxUid = StreamSupport.stream(sources.path("datasources").spliterator(), false)
        .filter(d -> d.path("type").asText().equals("influxdb")).map(d -> d.path("uid").asText()).findFirst()
        .orElseThrow(() -> new AssertionError("no InfluxDB data source is provisioned"));
    assertFalse(types.isEmpty());
    for (String type : types) {
      Path file = deploy.resolve("grafana/windows/" + type + ".json");
      assertTrue(Files.exists(file), "no windows dashboard for entity type " + type + ": " + file);
      JsonNode dashboard = JSON.readTree(file.toFile());
      List<JsonNode> targets = new ArrayList<>();
      dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(targets::add));
      assertFalse(targets.isEmpty(), file + " queries nothing");
      for (JsonNode target : targets) {
        String query = target.path("query").asText();
        assertEquals(influxUid, target.path("datasource").path("uid").asText(), file + ": " + query);
        assertTrue(query.contains("\"tidewatch_window\"") && query.contains("\"entityType\" = '" + type + "'"),
            file + " must read the export's measurement for its own type: " + query);
      }
    }
  }

  @Test
  void prometheusScrapesMetricsOfEveryComposeNode() throws IOException {
    JsonNode prometheus = YAML.readTree(deploy.resolve("compose/prometheus.yml").toFile());
    Set<String> expected = new TreeSet<>();
    nodeServices().forEach((name, service) -> expected.add(name + ":" + effective(composeEnv(service), HTTP_PORT)));
    Set<String> scraped = new TreeSet<>();
    for (JsonNode job : prometheus.path("scrape_configs")) {
      if (job.path("metrics_path").asText("/metrics").equals("/metrics")) {
        job.path("static_configs").forEach(group -> group.path("targets").forEach(t -> scraped.add(t.asText())));
      }
    }
    assertEquals(expected, scraped,
        "prometheus.yml must scrape /metrics on the HTTP port of every Tidewatch service of compose.yaml");
  }

  @Test
  void everyDeploymentFileRunsTheImageOfThisVersion() throws IOException {
    Matcher version = Pattern.compile("<artifactId>tidewatch-parent</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(repository.resolve("pom.xml")));
    assertTrue(version.find(), "no version of tidewatch-parent in " + repository.resolve("pom.xml"));
    String image = IMAGE_REPOSITORY + ":" + version.group(1);
    nodeServices().forEach((name, service) ->
        assertEquals(image, service.path("image").asText(), "compose.yaml " + name + " must run " + image));
    assertEquals(image, nodeContainer().path("image").asText(), "deploy/k8s/deployment.yaml must run " + image);
  }

  @Test
  void kubernetesContainerPortsAreTheNodesPorts() {
    Map<String, String> env = kubernetesEnv();
    Map<String, String> named = new TreeMap<>();
    nodeContainer().path("ports").forEach(p -> named.put(p.path("name").asText(), p.path("containerPort").asText()));
    assertEquals(effective(env, HTTP_PORT), named.get("http"),
        "container port 'http' vs " + HTTP_PORT + " or its default");
    assertEquals(effective(env, MANAGEMENT_PORT), named.get("management"),
        "container port 'management' (the name Cluster Bootstrap looks up) vs " + MANAGEMENT_PORT + " or its default");
    assertEquals(effective(env, REMOTE_PORT), named.get("remoting"), "container port 'remoting' vs " + REMOTE_PORT);
    JsonNode annotations = manifest("Deployment").at("/spec/template/metadata/annotations");
    if (annotations.has("prometheus.io/port")) {
      assertEquals(named.get("http"), annotations.path("prometheus.io/port").asText(), "metrics are on the HTTP port");
      assertEquals("/metrics", annotations.path("prometheus.io/path").asText("/metrics"), "metrics path");
    }
  }

  @Test
  void kubernetesProbesAskManagementForReadyAndAlive() {
    JsonNode container = nodeContainer();
    assertProbe(container, "readinessProbe", "/ready");
    assertProbe(container, "livenessProbe", "/alive");
    if (container.has("startupProbe")) {
      assertProbe(container, "startupProbe", "/alive");
    }
  }

  @Test
  void kubernetesNodesFormTheClusterThroughTheApi() {
    Map<String, String> env = kubernetesEnv();
    JsonNode pod = manifest("Deployment").at("/spec/template");
    assertEquals("kubernetes-api", env.get("TIDEWATCH_DISCOVERY"), "the pods find each other with Cluster Bootstrap");
    assertFalse(env.containsKey("TIDEWATCH_SEED_NODES"), "seed nodes would bypass Cluster Bootstrap");
    assertEquals("status.podIP", fieldRef("TIDEWATCH_REMOTE_HOST"), "remoting must advertise the pod IP");
    assertEquals("status.podIP", fieldRef("TIDEWATCH_MANAGEMENT_HOST"), "bootstrap contact points are pod IPs");
    assertEquals("metadata.namespace", fieldRef("TIDEWATCH_K8S_NAMESPACE"), "discovery lists pods of this namespace");
    assertTrue("metadata.labels['app']".equals(fieldRef("TIDEWATCH_BOOTSTRAP_SERVICE_NAME"))
            || pod.at("/metadata/labels/app").asText().equals(env.get("TIDEWATCH_BOOTSTRAP_SERVICE_NAME")),
        "TIDEWATCH_BOOTSTRAP_SERVICE_NAME must be the pods' app label (discovery selects app=<service name>)");
    int replicas = manifest("Deployment").at("/spec/replicas").asInt(1);
    assertTrue(Integer.parseInt(env.getOrDefault("TIDEWATCH_BOOTSTRAP_REQUIRED_CONTACTS", "2")) <= replicas,
        "more required contact points than replicas: the cluster would never form");
    String account = pod.at("/spec/serviceAccountName").asText();
    assertEquals(account, manifest("ServiceAccount").at("/metadata/name").asText(), "the pods' service account");
    JsonNode binding = manifest("RoleBinding");
    assertTrue(each(binding.path("subjects")).anyMatch(s -> account.equals(s.path("name").asText())),
        "the RoleBinding must bind the service account " + account);
    JsonNode role = manifest("Role");
    assertEquals(role.at("/metadata/name").asText(), binding.at("/roleRef/name").asText(), "the RoleBinding's role");
    assertTrue(each(role.path("rules")).anyMatch(r -> texts(r.path("resources")).contains("pods")
            && texts(r.path("verbs")).contains("list")), "the Role must allow listing pods");
  }

  @Test
  void kubernetesManifestsReferToEachOther() {
    JsonNode deployment = manifest("Deployment");
    JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
    assertSelects(deployment.at("/spec/selector/matchLabels"), podLabels, "the Deployment's selector");
    assertSelects(manifest("Service").at("/spec/selector"), podLabels, "the Service's selector");
    assertSelects(manifest("PodDisruptionBudget").at("/spec/selector/matchLabels"), podLabels, "the PDB's selector");
    Set<String> portNames = new TreeSet<>(nodeContainer().path("ports").findValuesAsText("name"));
    for (JsonNode port : manifest("Service").at("/spec/ports")) {
      JsonNode target = port.path("targetPort");
      assertTrue(!target.isTextual() || portNames.contains(target.asText()),
          "the Service targets port '" + target.asText() + "', which the container does not name: " + portNames);
    }
    Set<String> sources = new TreeSet<>(nodeContainer().path("envFrom").findValuesAsText("name"));
    Set<String> expected = Set.of(
        manifest("ConfigMap").at("/metadata/name").asText(), manifest("Secret").at("/metadata/name").asText());
    assertEquals(expected, sources, "the container's envFrom must name the ConfigMap and the Secret of deploy/k8s");
    String namespace = manifest("Namespace").at("/metadata/name").asText();
    manifests.stream().filter(m -> !m.path("kind").asText().equals("Namespace")).forEach(m -> assertEquals(namespace,
        m.at("/metadata/namespace").asText(), m.path("kind").asText() + " " + m.at("/metadata/name").asText()));
  }

  @Test
  void kustomizationAppliesEveryManifestButTheExampleSecret() throws IOException {
    Set<String> listed = new TreeSet<>(texts(YAML.readTree(deploy.resolve("k8s/kustomization.yaml").toFile())
        .path("resources")));
    Set<String> files;
    try (Stream<Path> list = Files.list(deploy.resolve("k8s"))) {
      files = list.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml") && !n.equals("secret.yaml"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(files, listed, "kustomization.yaml must list every manifest of deploy/k8s except secret.yaml "
        + "(applying the example would overwrite the real tokens)");
  }

  @Test
  void shutdownGraceOutlastsTheServiceUnbindPhase() throws IOException {
    Matcher unbind = Pattern.compile("service-unbind\\.timeout\\s*=\\s*(\\d+)\\s*s")
        .matcher(Files.readString(repository.resolve("node/src/main/resources/cluster.conf")));
    assertTrue(unbind.find(), "no coordinated-shutdown service-unbind timeout in node/src/main/resources/cluster.conf");
    // The ingest drains in service-unbind; shard handover and leaving the cluster come after it.
    Duration needed = Duration.ofSeconds(Long.parseLong(unbind.group(1)) + 10);
    nodeServices().forEach((name, service) -> {
      Duration grace = composeDuration(service.path("stop_grace_period").asText("10s"));
      assertTrue(grace.compareTo(needed) >= 0,
          name + ": stop_grace_period " + grace + " is shorter than the shutdown needs (" + needed + ")");
    });
    long seconds = manifest("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asLong(30);
    assertTrue(seconds >= needed.toSeconds(), "deploy/k8s: terminationGracePeriodSeconds " + seconds
        + " is shorter than the shutdown needs (" + needed + ")");
  }

  private List<Path> nodeConfigFiles() throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> modules = Files.list(repository)) {
      for (Path resources : modules.map(m -> m.resolve("src/main/resources")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.list(resources)) {
          files.filter(f -> f.toString().endsWith(".conf") || f.endsWith("logback.xml")).forEach(found::add);
        }
      }
    }
    return found;
  }

  /** The compose services that run a Tidewatch node: those given TIDEWATCH_ settings. */
  private Map<String, JsonNode> nodeServices() {
    Map<String, JsonNode> nodes = new TreeMap<>();
    compose.path("services").properties().forEach(s -> {
      if (composeEnv(s.getValue()).keySet().stream().anyMatch(v -> v.startsWith("TIDEWATCH_"))) {
        nodes.put(s.getKey(), s.getValue());
      }
    });
    assertFalse(nodes.isEmpty(), "compose.yaml has no service with TIDEWATCH_ settings");
    return nodes;
  }

  private static Map<String, String> composeEnv(JsonNode service) {
    Map<String, String> env = new TreeMap<>();
    JsonNode environment = service.path("environment");
    if (environment.isArray()) {
      environment.forEach(item -> {
        String[] pair = item.asText().split("=", 2);
        env.put(pair[0], pair.length > 1 ? pair[1] : "");
      });
    } else {
      environment.properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    return env;
  }

  private static List<Path> bindSources(Path composeDir, JsonNode service) {
    List<Path> sources = new ArrayList<>();
    for (JsonNode volume : service.path("volumes")) {
      String source = volume.isObject() ? volume.path("source").asText() : volume.asText().split(":")[0];
      if (source.startsWith(".") || source.startsWith("/")) {
        sources.add(composeDir.resolve(source).normalize());
      }
    }
    return sources;
  }

  /** What the node container is given as literal values: the ConfigMap, then its own env (null for fieldRefs). */
  private Map<String, String> kubernetesEnv() {
    Map<String, String> env = new TreeMap<>();
    manifest("ConfigMap").path("data").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    nodeContainer().path("env").forEach(v -> env.put(v.path("name").asText(), v.path("value").asText(null)));
    return env;
  }

  private JsonNode manifest(String kind) {
    List<JsonNode> found = manifests.stream().filter(m -> kind.equals(m.path("kind").asText())).toList();
    assertEquals(1, found.size(), "expected exactly one " + kind + " in deploy/k8s");
    return found.get(0);
  }

  private JsonNode nodeContainer() {
    for (JsonNode container : manifest("Deployment").at("/spec/template/spec/containers")) {
      if (container.path("image").asText().startsWith(IMAGE_REPOSITORY + ":")) {
        return container;
      }
    }
    return fail("the Deployment has no container running " + IMAGE_REPOSITORY);
  }

  private String fieldRef(String variable) {
    return each(nodeContainer().path("env")).filter(v -> variable.equals(v.path("name").asText())).findFirst()
        .map(v -> v.at("/valueFrom/fieldRef/fieldPath").asText(null)).orElse(null);
  }

  private String effective(Map<String, String> env, String variable) {
    String value = env.containsKey(variable) ? env.get(variable) : defaults.get(variable);
    assertNotNull(value, variable + " is neither set nor has a default before its ${?...} in the node's configuration");
    return value;
  }

  private static void assertProbe(JsonNode container, String probe, String path) {
    JsonNode get = container.path(probe).path("httpGet");
    assertEquals(path, get.path("path").asText(), probe + " must GET " + path + " (Pekko Management's health route)");
    assertEquals("management", get.path("port").asText(), probe + " must use the container port named management");
  }

  private static void assertSelects(JsonNode selector, JsonNode labels, String what) {
    assertFalse(selector.isEmpty(), what + " is empty");
    selector.properties().forEach(e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(null),
        what + " must match the pod label " + e.getKey()));
  }

  private static List<String> texts(JsonNode node) {
    if (node.isArray()) {
      return each(node).map(JsonNode::asText).toList();
    }
    return node.isMissingNode() ? List.of() : List.of(node.asText());
  }

  private static Stream<JsonNode> each(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false);
  }

  /** Compose durations such as 60s, 1m30s, 500ms. */
  private static Duration composeDuration(String text) {
    Duration total = Duration.ZERO;
    Matcher part = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(text);
    while (part.find()) {
      long n = Long.parseLong(part.group(1));
      total = total.plus(switch (part.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMillis(n);
      });
    }
    return total;
  }
}
