package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The proof of an internal hop: the cluster's secret, bound to the upstream and the path. */
class PeerHopTest {
  private static final String PATH = "/v2/team/app/blobs/sha256:" + "a".repeat(64);
  private final PeerHop hop = new PeerHop("shared-cluster-secret-1");

  @Test
  void aProofMadeWithTheSameSecret_verifies() {
    String proof = new PeerHop("shared-cluster-secret-1").proof("lab", PATH);

    assertThat(hop.verify("lab", PATH, proof)).isTrue();
  }

  @Test
  void aProofMadeWithAnotherSecret_doesNotVerify() {
    String proof = new PeerHop("another-cluster-secret").proof("lab", PATH);

    assertThat(hop.verify("lab", PATH, proof)).isFalse();
  }

  @Test
  void aProof_opensOnlyThePathAndUpstreamItWasMadeFor() {
    String proof = hop.proof("lab", PATH);

    assertThat(hop.verify("lab", PATH.replace("team/app", "team/other"), proof)).isFalse();
    assertThat(hop.verify("other", PATH, proof)).isFalse();
    assertThat(hop.verify("lab", PATH, "")).isFalse();
  }

  @Test
  void theSecret_isNotInTheProof() {
    assertThat(hop.proof("lab", PATH)).doesNotContain("shared-cluster-secret").hasSize(64);
  }
}
