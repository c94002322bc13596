package io.stevedore.e2e;

import static io.stevedore.e2e.MetricsText.sum;
import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Digest;
import io.stevedore.upstream.Rendezvous;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three nodes of a cluster, each its own process, port and data directory, in front of one real
 * registry: ten cold clients on each node pull the same 320 MB blob and the registry's access log
 * shows one GET of it; a node whose cluster secret differs is refused by the owner (401) and fills
 * from the registry itself.
 */
class ClusterIT {
  private static final int NODES = 3;
  private static final int CLIENTS_PER_NODE = 10;
  private static final long BLOB_BYTES = 320L * 1024 * 1024;

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static MirrorCluster cluster;
  private static final List<StevedoreProcess> nodes = new ArrayList<>();
  private static OciImage huge;

  @BeforeAll
  static void start() {
    registry = lab.registry();
    huge = OciImages.shared().big(BLOB_BYTES);
    lab.push(huge, "e2e/huge:3.0");
    cluster = new MirrorCluster(lab, NODES);
    for (int i = 0; i < NODES; i++) {
      nodes.add(cluster.start(i, lab.upstream()));
    }
  }

  @Test
  void tenColdClientsOnEachOfThreeNodes_ofOne320MbBlob_makeOneUpstreamGet() throws Exception {
    OciImage.Blob layer = huge.manifests().get(0).layers().get(0).blob();
    assertThat(layer.size()).isGreaterThanOrEqualTo(BLOB_BYTES);
    String path = "/v2/e2e/huge/blobs/" + layer.digest();
    RegistryProcess.Mark mark = registry.mark();

    List<Future<String>> digests = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (StevedoreProcess node : nodes) {
        for (int i = 0; i < CLIENTS_PER_NODE; i++) {
          digests.add(
              pool.submit(() -> StreamedDigest.sha256Of(node.url().resolve(path), layer.size())));
        }
      }
      for (Future<String> digest : digests) {
        assertThat(digest.get()).isEqualTo(layer.digest());
      }
    }

    assertThat(digests).hasSize(NODES * CLIENTS_PER_NODE);
    List<AccessLogEntry> blobGets =
        registry.requestsSince(mark).stream().filter(e -> e.matches("GET", path)).toList();
    assertThat(blobGets).as("the registry's GETs of the blob").hasSize(1);
    int owner = cluster.ownerOf(layer.digest());
    for (int i = 0; i < NODES; i++) {
      String metrics = metricsOf(nodes.get(i));
      assertThat(sum(metrics, "stevedore_cluster_peer_fallbacks_total", Map.of())).isZero();
      if (i == owner) {
        assertThat(sum(metrics, "stevedore_cluster_owner_requests_total", Map.of("kind", "blob")))
            .as("the owner served each other node once")
            .isEqualTo(NODES - 1);
        assertThat(sum(metrics, "stevedore_upstream_requests_total", Map.of("method", "GET")))
            .isEqualTo(1);
      } else {
        assertThat(sum(metrics, "stevedore_cluster_peer_fetches_total", Map.of("kind", "blob")))
            .isEqualTo(1);
        assertThat(sum(metrics, "stevedore_upstream_requests_total", Map.of("method", "GET")))
            .isZero();
        assertThat(sum(metrics, "stevedore_cluster_peer_up", Map.of())).isEqualTo(NODES - 1);
      }
    }
  }

  @Test
  void aNodeWithAnotherSecret_isRefusedByTheOwner_andFillsFromTheUpstreamItself() throws Exception {
    // A fourth node lists the three and itself; the blob is one that a node of the three owns.
    URI self = URI.create("http://127.0.0.1:" + FreePorts.freePort());
    List<URI> strangersView = new ArrayList<>(cluster.peers());
    strangersView.add(self);
    byte[] content = new byte[2 * 1024 * 1024];
    Random random = new Random(18);
    int owner;
    do {
      random.nextBytes(content);
      owner = cluster.peers().indexOf(Rendezvous.owner(strangersView, Digest.sha256(content)));
    } while (owner < 0);
    String digest = registry.pushBlob("e2e/stranger", content);
    String path = "/v2/e2e/stranger/blobs/" + digest;
    StevedoreProcess stranger =
        lab.mirror(
            "stranger",
            b ->
                b.port(self.getPort())
                    .upstream(lab.upstream())
                    .extraYaml(
                        MirrorCluster.yaml(self, strangersView, "not-the-secret-of-this-cluster")));
    RegistryProcess.Mark mark = registry.mark();

    assertThat(StreamedDigest.sha256Of(stranger.url().resolve(path), content.length))
        .isEqualTo(digest);

    assertThat(registry.requestsSince(mark).stream().filter(e -> e.matches("GET", path)))
        .as("the stranger's own GET; the owner fetched nothing for it")
        .hasSize(1);
    assertThat(
            sum(
                metricsOf(stranger),
                "stevedore_cluster_peer_fallbacks_total",
                Map.of("reason", "refused")))
        .isEqualTo(1);
    // The access log is written out once a second.
    StevedoreProcess refusing = nodes.get(owner);
    Daemons.await(
        "the owner's access log to show the refused hop",
        Duration.ofSeconds(10),
        refusing::isRunning,
        refusing::logTail,
        () -> refusals(refusing, path) > 0);
    assertThat(refusals(refusing, path)).isEqualTo(1);
  }

  /** Lines of the node's access log that answered {@code path} with 401. */
  private static long refusals(StevedoreProcess node, String path) {
    try {
      return Files.readString(node.logFile())
          .lines()
          .filter(l -> l.contains("\"path\":\"" + path + "\"") && l.contains("\"status\":401"))
          .count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String metricsOf(StevedoreProcess node) throws Exception {
    String text = MetricsText.scrape(node);
    Path file = lab.path("metrics-" + node.port() + ".txt");
    Files.writeString(file, text);
    ExecResult promtool =
        Exec.run(List.of("sh", "-c", "promtool check metrics < " + file), Duration.ofSeconds(30));
    assertThat(promtool.exitCode()).as("promtool: %s", promtool).isZero();
    return text;
  }
}
