package io.stevedore.e2e;

import io.stevedore.oci.Digest;
import io.stevedore.upstream.Rendezvous;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The nodes of one Stevedore cluster: each its own process, port and data directory, all listing
 * each other as peers. Ports are picked before any node starts, since every node's config names
 * them all; so a test also knows which node owns a digest before it asks for it.
 */
final class MirrorCluster {
  static final String SECRET = "e2e-cluster-secret-of-the-lab";

  private final Lab lab;
  private final List<Integer> ports = new ArrayList<>();

  MirrorCluster(Lab lab, int size) {
    this.lab = lab;
    for (int i = 0; i < size; i++) {
      ports.add(FreePorts.freePort());
    }
  }

  /** Every node's URL, as they name each other. */
  List<URI> peers() {
    return ports.stream().map(p -> URI.create("http://127.0.0.1:" + p)).toList();
  }

  /** The index of the node that owns {@code digest}, as every node computes it. */
  int ownerOf(String digest) {
    return peers().indexOf(Rendezvous.owner(peers(), Digest.parse(digest)));
  }

  /** Starts node {@code index}, mirroring {@code upstream} with the cluster's secret. */
  StevedoreProcess start(int index, MirrorUpstream upstream) {
    return start(index, upstream, SECRET, b -> b);
  }

  /**
   * Starts node {@code index} with {@code secret} (another than the cluster's, to test a refusal)
   * and whatever else {@code config} adds.
   */
  StevedoreProcess start(
      int index,
      MirrorUpstream upstream,
      String secret,
      UnaryOperator<StevedoreProcess.Builder> config) {
    return lab.mirror(
        "node-" + index,
        b ->
            config.apply(
                b.port(ports.get(index))
                    .upstream(upstream)
                    .extraYaml(yaml(peers().get(index), peers(), secret))));
  }

  /**
   * The {@code cluster:} section of a node at {@code self} that lists {@code peers}. The peer
   * timeout is longer than the default: a freshly started node on a machine loaded by other work
   * can take seconds over its first answer, and a node that gave up on its owner would fetch from
   * the upstream a second time. The backoff outlasts a test, so a peer that failed is still left
   * out when the test looks, however long the machine took to get there.
   */
  static String yaml(URI self, List<URI> peers, String secret) {
    return """
        cluster:
          self: %s
          peers: [%s]
          secret: %s
          peer-timeout: 30s
          peer-backoff: 10m
        """
        .formatted(
            self, peers.stream().map(URI::toString).collect(Collectors.joining(", ")), secret);
  }
}
