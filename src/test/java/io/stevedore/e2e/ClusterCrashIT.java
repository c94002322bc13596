package io.stevedore.e2e;

import static io.stevedore.e2e.MetricsText.sum;
import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Digest;
import io.stevedore.oci.Json;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kill -9} of the node that owns a blob while it fills it (its upstream slowed down by a
 * relay) and serves it to the other nodes: their fills lose the owner mid-blob, resume from the
 * registry itself, and their clients get every byte right; their status pages show the owner left
 * out.
 */
class ClusterCrashIT {
  private static final int NODES = 3;
  private static final int CLIENTS_PER_NODE = 3;
  private static final int BLOB_BYTES = 48 * 1024 * 1024;
  // Slow enough that the fill is far from done when the others follow it, on a loaded machine too.
  private static final long RELAY_RATE = 2L * 1024 * 1024;
  private static final long KILL_AFTER = 4L * 1024 * 1024;

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static ThrottledRelay relay;
  private static final List<StevedoreProcess> nodes = new ArrayList<>();
  private static List<URI> peers;
  private static int owner;
  private static String digest;

  @BeforeAll
  static void start() throws Exception {
    registry = lab.registry();
    byte[] content = new byte[BLOB_BYTES];
    new Random(18).nextBytes(content);
    digest = registry.pushBlob("e2e/crash", content);
    assertThat(Digest.sha256(content).toString()).isEqualTo(digest);
    MirrorCluster cluster = new MirrorCluster(lab, NODES);
    peers = cluster.peers();
    owner = cluster.ownerOf(digest);
    relay = lab.own(new ThrottledRelay(registry.url()));
    for (int i = 0; i < NODES; i++) {
      // Only the owner's upstream is slow: it fills while the others follow it.
      MirrorUpstream upstream =
          i == owner ? MirrorUpstream.of("lab", relay.url()).asDefault() : lab.upstream();
      nodes.add(cluster.start(i, upstream));
    }
  }

  @Test
  void theOwnerKilledMidFill_theOtherNodesResumeFromTheUpstream_andServeEveryByteRight()
      throws Exception {
    String path = "/v2/e2e/crash/blobs/" + digest;
    StevedoreProcess killed = nodes.get(owner);
    RegistryProcess.Mark mark = registry.mark();
    relay.rate(RELAY_RATE);

    List<Future<String>> digests = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (StevedoreProcess node : others()) {
        for (int i = 0; i < CLIENTS_PER_NODE; i++) {
          digests.add(
              pool.submit(() -> StreamedDigest.sha256Of(node.url().resolve(path), BLOB_BYTES)));
        }
      }
      // The kill comes once every other node follows the owner's fill and it is well under way:
      // on a loaded machine one node's first request can come seconds after another's.
      Daemons.await(
          "every other node to fetch from the owner, and the owner's fill to pass "
              + KILL_AFTER
              + " bytes",
          Duration.ofSeconds(60),
          killed::isRunning,
          killed::logTail,
          () ->
              relay.relayed() >= KILL_AFTER
                  && others().stream().allMatch(n -> peerFetches(n) == 1));
      killed.kill();
      long relayedAtKill = relay.relayed();
      for (Future<String> body : digests) {
        assertThat(body.get()).isEqualTo(digest);
      }
      assertThat(relayedAtKill).as("the owner was killed mid-fill").isLessThan(BLOB_BYTES);
    }

    assertThat(registry.requestsSince(mark).stream().filter(e -> e.matches("GET", path)).count())
        .as("the owner's GET, then the others' own")
        .isBetween(2L, (long) NODES);
    for (StevedoreProcess node : others()) {
      String metrics = MetricsText.scrape(node);
      assertThat(sum(metrics, "stevedore_cluster_peer_fetches_total", Map.of("kind", "blob")))
          .as("began from the owner")
          .isEqualTo(1);
      assertThat(
              sum(
                  metrics,
                  "stevedore_cluster_peer_fallbacks_total",
                  Map.of("reason", "unreachable")))
          .as("resumed from the upstream once the owner was gone")
          .isPositive();
      assertThat(sum(metrics, "stevedore_fill_resumes_total", Map.of())).isPositive();
      assertThat(sum(metrics, "stevedore_fills_total", Map.of("result", "committed"))).isEqualTo(1);
    }

    // Each survivor's status page lists the killed owner as left out and the other one as asked.
    URI killedUrl = peers.get(owner);
    for (StevedoreProcess node : others()) {
      Map<String, Boolean> seen = peersInStatusJson(node);
      assertThat(seen).containsEntry(killedUrl.toString(), false).hasSize(NODES - 1);
      assertThat(seen.values()).containsOnlyOnce(false);
    }
    String page =
        HeadlessChromium.renderedDom(lab, others().get(0).adminUrl().resolve("/_stevedore/"));
    assertThat(page)
        .containsPattern(
            "(?s)<td>"
                + Pattern.quote(killedUrl.toString())
                + "</td><td class=\"down\">left out after failing</td>");

    relay.rate(0);
    killed.start();
    assertThat(StreamedDigest.sha256Of(killed.url().resolve(path), BLOB_BYTES))
        .as("the restarted owner")
        .isEqualTo(digest);
  }

  private static List<StevedoreProcess> others() {
    List<StevedoreProcess> others = new ArrayList<>(nodes);
    others.remove(owner);
    return others;
  }

  /** The peers in {@code node}'s status.json: each URL and whether it is asked. */
  private static Map<String, Boolean> peersInStatusJson(StevedoreProcess node) {
    byte[] json =
        RegistryHttp.send("GET", node.adminUrl().resolve("/_stevedore/status.json"), null).body();
    Map<String, Boolean> peers = new TreeMap<>();
    for (Object peer : (List<?>) ((Map<?, ?>) Json.parse(json)).get("peers")) {
      Map<?, ?> fields = (Map<?, ?>) peer;
      peers.put((String) fields.get("url"), (Boolean) fields.get("up"));
    }
    return peers;
  }

  private static long peerFetches(StevedoreProcess node) {
    try {
      return sum(
          MetricsText.scrape(node), "stevedore_cluster_peer_fetches_total", Map.of("kind", "blob"));
    } catch (Exception e) {
      throw new AssertionError("cannot read the metrics of " + node.url(), e);
    }
  }
}
