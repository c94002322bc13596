package io.stevedore.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.config.ClusterConfig;
import io.stevedore.config.StevedoreConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code cluster:} section: peers, the shared secret, and how long an owner may take. */
class ClusterConfigLoaderTest {
  private static final String UPSTREAMS =
      """
      upstreams:
        - name: lab
          url: http://127.0.0.1:5001
      """;
  private static final String SECRET = "a-cluster-secret-of-some-length";

  @TempDir Path dir;

  @Test
  void everyClusterKey_isRead_andPeersAreSpeltAlike() throws IOException {
    Path secretFile = Files.writeString(dir.resolve("cluster-secret"), SECRET + "\n");
    ClusterConfig cluster =
        load(UPSTREAMS
                + """
                    cluster:
                      self: http://10.0.0.1:5000
                      peers: [http://10.0.0.1:5000, "HTTP://Node-2.example:5000/", http://node-3]
                      peers-dns: http://stevedore-headless.ns.svc:5000
                      dns-refresh: 30s
                      secret-file: %s
                      peer-timeout: 2s
                      peer-backoff: 1m
                    """
                    .formatted(secretFile))
            .cluster();

    assertThat(cluster.self()).contains(URI.create("http://10.0.0.1:5000"));
    assertThat(cluster.peers())
        .containsExactly(
            URI.create("http://10.0.0.1:5000"),
            URI.create("http://node-2.example:5000"),
            URI.create("http://node-3:80"));
    assertThat(cluster.peersDns()).contains(URI.create("http://stevedore-headless.ns.svc:5000"));
    assertThat(cluster.dnsRefresh()).isEqualTo(Duration.ofSeconds(30));
    assertThat(cluster.secret()).contains(SECRET);
    assertThat(cluster.peerTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(cluster.peerBackoff()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void withoutAClusterSection_aNodeIsOnItsOwn() throws IOException {
    ClusterConfig cluster = load(UPSTREAMS).cluster();

    assertThat(cluster).isEqualTo(ClusterConfig.OFF);
    assertThat(cluster.asksPeers()).isFalse();
  }

  @Test
  void theEnvironment_setsThisNodesUrlAndTheSecret_asAStatefulSetPodDoes() throws IOException {
    Path file = write(UPSTREAMS + "cluster:\n  peers-dns: http://stevedore-headless:5000\n");

    ClusterConfig cluster =
        ConfigLoader.load(
                file, Map.of("CLUSTER_SELF", "http://10.1.2.3:5000", "CLUSTER_SECRET", SECRET))
            .cluster();

    assertThat(cluster.self()).contains(URI.create("http://10.1.2.3:5000"));
    assertThat(cluster.secret()).contains(SECRET);
  }

  @Test
  void configCheck_masksTheSecret_andLoadsAgain() throws IOException {
    StevedoreConfig config =
        load(
            UPSTREAMS
                + "cluster:\n  self: http://a:5000\n  peers: [http://a:5000, http://b:5000]\n"
                + "  secret: "
                + SECRET
                + "\n");

    String effective = EffectiveConfig.yaml(config);

    assertThat(effective).contains("cluster:\n  self: http://a:5000\n").doesNotContain(SECRET);
    assertThat(config.cluster().toString()).doesNotContain(SECRET);
    ClusterConfig again =
        load(effective.replace(EffectiveConfig.MASK, "'" + SECRET + "'")).cluster();
    assertThat(again).isEqualTo(config.cluster());
  }

  static Stream<Arguments> badConfigs() {
    String peers = "cluster:\n  self: http://a:5000\n  peers: [http://a:5000, http://b:5000]\n";
    return Stream.of(
        Arguments.of(peers, "cluster.secret-file: required with cluster.peers"),
        Arguments.of(
            "cluster:\n  peers-dns: http://headless:5000\n  secret: " + SECRET + "\n",
            "cluster.self: required with cluster.peers-dns"),
        Arguments.of(peers + "  secret: short\n", "cluster.secret: must be at least 16"),
        Arguments.of(
            peers + "  secret: " + SECRET + "\n  secret-file: /x\n",
            "cluster.secret-file: give secret or secret-file"),
        Arguments.of(peers + "  secret-file: /nonexistent\n", "cluster.secret-file: cannot read"),
        Arguments.of("cluster:\n  peers: [b:5000]\n", "cluster.peers"),
        Arguments.of("cluster:\n  self: http://a:5000/mirror\n", "cluster.self"),
        Arguments.of(
            peers + "  secret: " + SECRET + "\n  peer-timeout: 0s\n", "cluster.peer-timeout"),
        Arguments.of(
            peers + "  secret: " + SECRET + "\n  dns-refresh: often\n", "cluster.dns-refresh"),
        Arguments.of("cluster:\n  peer: [http://b:5000]\n", "cluster.peer"));
  }

  @ParameterizedTest
  @MethodSource("badConfigs")
  void badValue_failsNamingTheKey(String yaml, String key) throws IOException {
    ConfigLoaderTest.assertRefusedNaming(write(UPSTREAMS + yaml), key);
  }

  private StevedoreConfig load(String yaml) throws IOException {
    return ConfigLoader.load(write(yaml), Map.of());
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("stevedore.yaml"), yaml);
  }
}
