package io.stevedore.chart;

import static io.stevedore.chart.Rendered.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.yaml.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart in charts/stevedore, linted and rendered offline by Helm's own library
 * (helm-java): the objects and fields a cluster would get with the default values and with the
 * README's three-replica HTTPS example (ci/ha-values.yaml), and the values the schema and the
 * templates refuse.
 */
class HelmChartTest {
  private static final Path CHART = Path.of("charts/stevedore");
  private static final Path HA_VALUES = CHART.resolve("ci/ha-values.yaml");
  private static final Path CLUSTER_VALUES = CHART.resolve("ci/cluster-values.yaml");
  private static final String RELEASE = "mirror";

  private static final String NAME = "mirror-stevedore";
  private static final String CONTAINER = "spec.template.spec.containers[name=stevedore]";

  @Test
  void lint_passesStrict() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("lint messages: %s", lint.getMessages()).isFalse();
  }

  @Test
  void defaultValues_oneReplicaWithProbesVolumeAndANonRootReadOnlyPod() throws IOException {
    Rendered chart = render(t -> t);

    assertThat(chart.kinds())
        .containsExactlyInAnyOrder(
            "ConfigMap", "Service", "Service", "StatefulSet", "PodDisruptionBudget");
    Map<String, Object> sts = chart.only("StatefulSet");
    assertThat((Integer) get(sts, "spec.replicas")).isEqualTo(1);
    assertThat((String) get(sts, "spec.serviceName")).isEqualTo(NAME + "-headless");
    assertProbes(sts, "HTTP");
    assertThat((String) get(sts, "spec.volumeClaimTemplates[0].spec.resources.requests.storage"))
        .isEqualTo("60Gi");
    assertThat((String) get(sts, CONTAINER + ".volumeMounts[name=data].mountPath"))
        .isEqualTo("/var/lib/stevedore");
    assertThat((String) get(sts, CONTAINER + ".volumeMounts[name=tmp].mountPath"))
        .isEqualTo("/tmp");

    assertThat((Boolean) get(sts, "spec.template.spec.securityContext.runAsNonRoot")).isTrue();
    assertThat((Integer) get(sts, "spec.template.spec.securityContext.runAsUser")).isNotZero();
    assertThat((Boolean) get(sts, CONTAINER + ".securityContext.readOnlyRootFilesystem")).isTrue();
    assertThat((Boolean) get(sts, CONTAINER + ".securityContext.allowPrivilegeEscalation"))
        .isFalse();
    assertThat((List<String>) get(sts, CONTAINER + ".securityContext.capabilities.drop"))
        .containsExactly("ALL");

    assertThat((String) get(sts, CONTAINER + ".resources.limits.memory")).isEqualTo("1Gi");
    assertThat((String) get(sts, CONTAINER + ".env[name=JDK_JAVA_OPTIONS].value"))
        .isEqualTo("-XX:MaxRAMPercentage=50 -Xms32m");

    Map<String, Object> service = chart.named("Service", NAME);
    assertThat((Integer) get(service, "spec.ports[name=http].port")).isEqualTo(5000);
    assertThat((String) get(service, "spec.ports[name=http].targetPort")).isEqualTo("http");
    Map<String, Object> headless = chart.named("Service", NAME + "-headless");
    assertThat((String) get(headless, "spec.clusterIP")).isEqualTo("None");
    assertThat((Integer) get(chart.only("PodDisruptionBudget"), "spec.maxUnavailable"))
        .isEqualTo(1);

    Map<String, Object> config = stevedoreYaml(chart);
    assertThat((String) get(config, "storage.path")).isEqualTo("/var/lib/stevedore/data");
    assertThat((String) get(config, "storage.max-size")).isEqualTo("50GiB");
    assertThat((Object) get(config, "upstreams"))
        .isEqualTo(get(values(CHART.resolve("values.yaml")), "config.upstreams"));
  }

  @Test
  void defaultValues_renderAConfigStevedoreAccepts(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("stevedore.yaml");
    Files.writeString(file, configText(render(t -> t)));

    StevedoreConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.port()).isEqualTo(5000);
    assertThat(config.storagePath()).isEqualTo(Path.of("/var/lib/stevedore/data"));
    assertThat(config.upstreams()).extracting(u -> u.name()).containsExactly("dockerhub");
  }

  @Test
  void haValues_threeReplicasWithTlsTokenAuthUpstreamSecretAndServiceMonitor() throws IOException {
    Rendered chart = render(t -> t.withValuesFile(HA_VALUES));

    assertThat(chart.kinds())
        .containsExactlyInAnyOrder(
            "ConfigMap",
            "Service",
            "Service",
            "StatefulSet",
            "PodDisruptionBudget",
            "ServiceMonitor");
    Map<String, Object> sts = chart.only("StatefulSet");
    assertThat((Integer) get(sts, "spec.replicas")).isEqualTo(3);
    assertProbes(sts, "HTTPS");
    assertThat((String) get(sts, "spec.volumeClaimTemplates[0].spec.resources.requests.storage"))
        .isEqualTo("250Gi");
    assertThat((String) get(sts, "spec.volumeClaimTemplates[0].spec.storageClassName"))
        .isEqualTo("fast-ssd");
    assertThat((String) get(sts, CONTAINER + ".image"))
        .isEqualTo("registry.example/platform/stevedore:0.1.0");

    Map<String, Object> config = stevedoreYaml(chart);
    assertThat((String) get(config, "server.tls.cert-file"))
        .isEqualTo("/etc/stevedore/tls/tls.crt");
    assertThat((String) get(config, "server.tls.key-file")).isEqualTo("/etc/stevedore/tls/tls.key");
    assertMountedSecret(sts, "/etc/stevedore/tls", "stevedore-tls");
    assertThat((String) get(config, "auth.mode")).isEqualTo("token");
    assertThat((String) get(config, "auth.htpasswd-file"))
        .isEqualTo("/etc/stevedore/auth/htpasswd");
    assertMountedSecret(sts, "/etc/stevedore/auth", "stevedore-htpasswd");
    assertThat((String) get(config, "auth.token-key-file"))
        .isEqualTo("/etc/stevedore/token/token.key");
    assertMountedSecret(sts, "/etc/stevedore/token", "stevedore-token-key");
    assertThat((Object) get(config, "auth.rules"))
        .isEqualTo(get(values(HA_VALUES), "config.auth.rules"));

    // The upstreams as given, the password Secret replaced by the file it is mounted as.
    List<Map<String, Object>> expected = new ArrayList<>();
    for (Map<String, Object> upstream :
        Rendered.<List<Map<String, Object>>>get(values(HA_VALUES), "config.upstreams")) {
      Map<String, Object> entry = new LinkedHashMap<>(upstream);
      if (entry.remove("passwordSecret") != null) {
        entry.put("password-file", "/etc/stevedore/upstreams/" + entry.get("name") + "/password");
      }
      expected.add(entry);
    }
    assertThat((Object) get(config, "upstreams")).isEqualTo(expected);
    assertMountedSecret(sts, "/etc/stevedore/upstreams/dockerhub", "dockerhub-login");

    Map<String, Object> monitor = chart.only("ServiceMonitor");
    assertThat((String) get(monitor, "metadata.labels.release")).isEqualTo("prometheus");
    assertThat((String) get(monitor, "spec.endpoints[0].port")).isEqualTo("http");
    assertThat((String) get(monitor, "spec.endpoints[0].path")).isEqualTo("/metrics");
    assertThat((String) get(monitor, "spec.endpoints[0].scheme")).isEqualTo("https");
    assertThat((String) get(chart.named("Service", NAME), "spec.clusterIP"))
        .isEqualTo("10.96.0.50");
    assertThat((String) get(sts, CONTAINER + ".resources.limits.memory")).isEqualTo("4Gi");
  }

  @Test
  void ingress_rendersWhenEnabled() {
    Rendered chart =
        render(t -> t.set("ingress.enabled", "true").set("ingress.hosts[0].host", "mirror.corp"));

    Map<String, Object> ingress = chart.only("Ingress");
    assertThat((String) get(ingress, "spec.rules[0].host")).isEqualTo("mirror.corp");
    assertThat((String) get(ingress, "spec.rules[0].http.paths[0].backend.service.name"))
        .isEqualTo(NAME);
  }

  @Test
  void clusterValues_wirePeersToTheHeadlessService_theSecret_andAPathHashingIngress(
      @TempDir Path dir) throws IOException {
    Rendered chart = render(t -> t.withValuesFile(CLUSTER_VALUES));

    Map<String, Object> sts = chart.only("StatefulSet");
    assertThat((Integer) get(sts, "spec.replicas")).isEqualTo(3);
    assertThat((String) get(sts, CONTAINER + ".env[name=POD_IP].valueFrom.fieldRef.fieldPath"))
        .isEqualTo("status.podIP");
    assertThat((String) get(sts, CONTAINER + ".env[name=CLUSTER_SELF].value"))
        .isEqualTo("http://$(POD_IP):5000");
    assertMountedSecret(sts, "/etc/stevedore/cluster", "stevedore-cluster");
    Map<String, Object> headless = chart.named("Service", NAME + "-headless");
    assertThat((Boolean) get(headless, "spec.publishNotReadyAddresses")).isTrue();
    // The user's annotations and the chart's hashing, side by side.
    Map<String, String> annotations = get(chart.only("Ingress"), "metadata.annotations");
    assertThat(annotations)
        .containsEntry("nginx.ingress.kubernetes.io/upstream-hash-by", "$uri")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "0");

    // Stevedore accepts the rendered config, with the pod's IP as the kubelet expands it.
    Path file = dir.resolve("stevedore.yaml");
    Files.writeString(file, configText(chart));
    StevedoreConfig config =
        ConfigLoader.load(
            file.toAbsolutePath(),
            Map.of(
                "CLUSTER_SELF",
                "http://10.1.2.3:5000",
                // the mounted Secret, where this test can write it
                "CLUSTER_SECRET_dash_FILE",
                secretFile(dir).toString()));
    assertThat(config.cluster().peersDns())
        .contains(URI.create("http://" + NAME + "-headless.mirrors.svc:5000"));
    assertThat(config.cluster().self()).contains(URI.create("http://10.1.2.3:5000"));
    assertThat(config.cluster().peerTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.cluster().secret()).isPresent();
  }

  @Test
  void withoutCluster_noPeersAndNoHashingAnnotation() {
    Rendered chart =
        render(t -> t.set("ingress.enabled", "true").set("ingress.hosts[0].host", "mirror.corp"));

    assertThat(configText(chart)).doesNotContain("cluster");
    assertThat((Map<String, Object>) get(chart.only("Ingress"), "metadata"))
        .doesNotContainKey("annotations");
  }

  @Test
  void templates_refuseAClusterWithoutASecret() {
    assertThatThrownBy(() -> render(t -> t.set("cluster.enabled", "true")))
        .hasMessageContaining("cluster.secret.name");
  }

  @Test
  void schema_refusesAWrongType() {
    assertThatThrownBy(() -> render(t -> t.set("replicaCount", "three")))
        .hasMessageContaining("/replicaCount");
    assertThatThrownBy(() -> render(t -> t.set("persistence.size", "a lot")))
        .hasMessageContaining("/persistence/size");
  }

  @Test
  void schema_refusesAPlainUpstreamPassword() {
    // It would be written into the ConfigMap; passwordSecret is the way.
    assertThatThrownBy(() -> render(t -> t.set("config.upstreams[0].password", "hunter2")))
        .hasMessageContaining("password");
  }

  @Test
  void templates_refuseTokenAuthAcrossReplicasWithoutASharedKey() {
    assertThatThrownBy(
            () ->
                render(
                    t ->
                        t.set("replicaCount", "3")
                            .set("config.auth.mode", "token")
                            .set("auth.htpasswdSecret.name", "users")))
        .hasMessageContaining("auth.tokenKeySecret.name");
  }

  private static Rendered render(UnaryOperator<TemplateCommand> options) {
    return Rendered.parse(
        options
            .apply(new Helm(CHART).template().withName(RELEASE).withNamespace("mirrors"))
            .call());
  }

  private static void assertProbes(Map<String, Object> sts, String scheme) {
    assertThat((String) get(sts, CONTAINER + ".livenessProbe.httpGet.path")).isEqualTo("/healthz");
    assertThat((String) get(sts, CONTAINER + ".readinessProbe.httpGet.path")).isEqualTo("/readyz");
    assertThat((String) get(sts, CONTAINER + ".startupProbe.httpGet.path")).isEqualTo("/healthz");
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertThat((String) get(sts, CONTAINER + "." + probe + ".httpGet.port")).isEqualTo("http");
      assertThat((String) get(sts, CONTAINER + "." + probe + ".httpGet.scheme")).isEqualTo(scheme);
    }
    assertThat((Integer) get(sts, CONTAINER + ".ports[name=http].containerPort")).isEqualTo(5000);
  }

  /** A volume from Secret {@code secret} mounted read-only at {@code path}. */
  private static void assertMountedSecret(Map<String, Object> sts, String path, String secret) {
    Map<String, Object> mount = get(sts, CONTAINER + ".volumeMounts[mountPath=" + path + "]");
    assertThat((Boolean) mount.get("readOnly")).isTrue();
    Map<String, Object> volume =
        get(sts, "spec.template.spec.volumes[name=" + mount.get("name") + "]");
    assertThat((String) get(volume, "secret.secretName")).isEqualTo(secret);
  }

  /** The stevedore.yaml the ConfigMap carries, parsed. */
  private static Map<String, Object> stevedoreYaml(Rendered chart) {
    return new Yaml().load(configText(chart));
  }

  private static String configText(Rendered chart) {
    Map<String, String> data = get(chart.only("ConfigMap"), "data");
    return data.get("stevedore.yaml");
  }

  private static Path secretFile(Path dir) throws IOException {
    return Files.writeString(dir.resolve("secret"), "a-secret-the-replicas-share\n");
  }

  private static Map<String, Object> values(Path file) throws IOException {
    return new Yaml().load(Files.readString(file));
  }
}
