package io.stevedore.e2e;

import static io.stevedore.e2e.MetricsText.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The balancer recipe at work: HAProxy running {@code conf/haproxy.cfg} (consistent hashing of the
 * path) in front of a three-node cluster; three skopeo clients pull a six-layer image through it at
 * once, and the registry is asked for each blob once.
 *
 * <p>The image is about 70 MB; {@code -Dstevedore.balancer.file-mib=90} makes it 923 MB, more than
 * the 786 MB the issue names (52 s here on 2026-12-06, with the image built; passed: one upstream
 * GET for each of the 7 blobs), too long for every build.
 */
class ClusterBalancerIT {
  private static final int NODES = 3;
  private static final int CLIENTS = 3;

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static final List<StevedoreProcess> nodes = new ArrayList<>();
  private static HaproxyProcess haproxy;
  private static OciImage layered;

  @BeforeAll
  static void start() {
    assumeTrue(
        HaproxyProcess.installed(),
        "haproxy is not installed: apt-get install haproxy (.ci/run does) to run the balancer"
            + " recipe");
    registry = lab.registry();
    layered =
        OciImages.shared().layered(Integer.getInteger("stevedore.balancer.file-mib", 8) << 20);
    lab.push(layered, "e2e/layered:4.0");
    MirrorCluster cluster = new MirrorCluster(lab, NODES);
    for (int i = 0; i < NODES; i++) {
      nodes.add(cluster.start(i, lab.upstream()));
    }
    haproxy = lab.own(HaproxyProcess.start(lab.path("haproxy"), cluster.peers()));
  }

  @Test
  void threeSkopeoPulls_throughHaproxy_fetchEachBlobFromTheUpstreamOnce() throws Exception {
    RegistryProcess.Mark mark = registry.mark();

    List<Future<String>> pulled = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < CLIENTS; i++) {
        int client = i;
        pulled.add(
            pool.submit(
                () ->
                    lab.skopeo()
                        .pullToOci(
                            haproxy.hostPort() + "/e2e/layered:4.0", lab.path("pull-" + client))));
      }
      for (Future<String> digest : pulled) {
        assertThat(digest.get()).isEqualTo(layered.digest());
      }
    }

    List<AccessLogEntry> upstream = registry.requestsSince(mark);
    List<String> blobs = layered.blobDigests();
    assertThat(blobs).hasSize(7); // six layers and the config
    for (String blob : blobs) {
      assertThat(upstream.stream().filter(e -> e.matches("GET", "/v2/e2e/layered/blobs/" + blob)))
          .as("GETs of %s", blob)
          .hasSize(1);
    }
    long clientRequests = 0;
    int nodesServingBlobs = 0;
    for (StevedoreProcess node : nodes) {
      String metrics = MetricsText.scrape(node);
      // A node the balancer sent a blob it does not own asks the owner: a hop, not a client.
      long served =
          sum(metrics, "stevedore_http_requests_total", Map.of("route", "blob"))
              - sum(metrics, "stevedore_cluster_owner_requests_total", Map.of("kind", "blob"));
      clientRequests += served;
      nodesServingBlobs += served > 0 ? 1 : 0;
    }
    assertThat(clientRequests)
        .as("every client's blob GETs, all through the balancer")
        .isEqualTo((long) CLIENTS * blobs.size());
    assertThat(nodesServingBlobs).as("the digest paths spread over the nodes").isGreaterThan(1);
  }
}
