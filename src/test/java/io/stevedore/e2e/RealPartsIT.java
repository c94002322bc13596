package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.e2e.Skopeo.CopyOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Proves the harness itself, without the mirror: the images are valid for real clients, the
 * registry serves them, and its access log counts what clients did.
 */
class RealPartsIT {
  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static Skopeo skopeo;
  private static OciImage small;
  private static OciImage multiArch;
  private static OciImage big;

  @BeforeAll
  static void startRegistryAndPushImages() {
    OciImages images = OciImages.shared();
    small = images.small();
    multiArch = images.multiArch();
    big = images.big();
    registry = lab.registry();
    skopeo = lab.skopeo();
    lab.push(small, "e2e/small:1.0");
    lab.push(small, "e2e/small-v2s2:1.0", CopyOption.V2S2);
    lab.push(multiArch, "e2e/multi:2.0", CopyOption.ALL);
    lab.push(big, "e2e/big:3.0");
  }

  @Test
  void ociImagesRoundTripWithTheSameDigests() {
    assertThat(skopeo.manifestDigest(registry.hostPort() + "/e2e/small:1.0"))
        .isEqualTo(small.digest());
    assertThat(skopeo.pullToOci(registry.hostPort() + "/e2e/small:1.0", lab.path("p1")))
        .isEqualTo(small.digest());
    assertThat(
            skopeo.pullToOci(
                registry.hostPort() + "/e2e/multi:2.0", lab.path("p2"), CopyOption.ALL))
        .isEqualTo(multiArch.digest());
    assertThat(
            skopeo.pullToDir(
                registry.hostPort() + "/e2e/multi:2.0", lab.path("p2d"), CopyOption.ALL))
        .isEqualTo(multiArch.digest());
    assertThat(skopeo.pullToOci(registry.hostPort() + "/e2e/big:3.0", lab.path("p3")))
        .isEqualTo(big.digest());
  }

  @Test
  void dockerSchema2PushIsPulledByteForByte() {
    String ref = registry.hostPort() + "/e2e/small-v2s2:1.0";
    String served = skopeo.manifestDigest(ref);
    assertThat(served).isNotEqualTo(small.digest());
    assertThat(new String(skopeo.inspectRaw(ref)))
        .contains("application/vnd.docker.distribution.manifest.v2+json");
    assertThat(skopeo.pullToDir(ref, lab.path("d1"))).isEqualTo(served);
  }

  @Test
  void containerdPullsFromTheRegistryAndEachFreshNamespaceDownloadsAgain() {
    // No mirror here: containerd goes to the registry itself.
    Path hosts = lab.path("hosts");
    Containerd.writeHostsToml(hosts, "lab.example", registry.url());
    Containerd containerd = lab.containerd();
    registry.clearCount();
    Containerd.Pull first = containerd.pull(hosts, "lab.example/e2e/small:1.0");
    assertThat(first.digest()).isEqualTo(small.digest());
    assertThat(registry.blobGets()).isEqualTo(small.blobDigests().size());
    // containerd tags every request to a configured host with the registry it is for.
    assertThat(registry.requests())
        .filteredOn(e -> e.path().contains("/e2e/small/"))
        .allSatisfy(e -> assertThat(e.query()).isEqualTo("ns=lab.example"));

    registry.clearCount();
    containerd.pull(hosts, "lab.example/e2e/small:1.0");
    assertThat(registry.blobGets()).isEqualTo(small.blobDigests().size());

    registry.clearCount();
    containerd.pull(first.namespace(), hosts, "lab.example/e2e/small:1.0");
    assertThat(registry.blobGets()).as("same namespace: all cached").isZero();

    containerd.removeEverything();
    registry.clearCount();
    containerd.pull(first.namespace(), hosts, "lab.example/e2e/small:1.0");
    assertThat(registry.blobGets()).isEqualTo(small.blobDigests().size());

    // The index resolves to itself; only the host's platform (amd64) is downloaded.
    registry.clearCount();
    assertThat(containerd.pull(hosts, "lab.example/e2e/multi:2.0").digest())
        .isEqualTo(multiArch.digest());
    assertThat(registry.blobGets())
        .isEqualTo(multiArch.manifest("linux/amd64").layers().size() + 1);
  }

  @Test
  void accessLogCountsEveryCopyAgain() {
    String ref = registry.hostPort() + "/e2e/small:1.0";
    registry.clearCount();
    skopeo.pullToOci(ref, lab.path("c1"));
    // Config and three layers; skopeo resolves the tag with one manifest GET.
    assertThat(registry.blobGets()).isEqualTo(small.blobDigests().size());
    assertThat(registry.count("GET", "/v2/e2e/small/manifests/1\\.0")).isEqualTo(1);
    assertThat(registry.count("GET", "/v2/e2e/small/blobs/" + small.layerDigests().getFirst()))
        .isEqualTo(1);

    RegistryProcess.Mark beforeSecond = registry.mark();
    skopeo.pullToOci(ref, lab.path("c2"));
    assertThat(registry.requestsSince(beforeSecond))
        .filteredOn(e -> e.matches("GET", "/v2/.+/blobs/.+"))
        .hasSize(small.blobDigests().size())
        .allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
    assertThat(registry.blobGets()).isEqualTo(2L * small.blobDigests().size());
  }

  @Test
  void skopeoPullsThroughARegistriesConfMirror() {
    Skopeo viaMirror =
        skopeo.withRegistriesConf(Skopeo.mirrorRegistriesConf("lab.example", registry.hostPort()));
    registry.clearCount();
    assertThat(viaMirror.pullToOci("lab.example/e2e/small:1.0", lab.path("m1")))
        .isEqualTo(small.digest());
    assertThat(registry.blobGets()).isEqualTo(small.blobDigests().size());
    // skopeo sends no ns= (unlike containerd): routing must come from the path or the default.
    assertThat(registry.requests()).allSatisfy(e -> assertThat(e.query()).isEmpty());
  }

  @Test
  void registryRestartsOnTheSamePortWithItsContent() {
    String ref = registry.hostPort() + "/e2e/small:1.0";
    registry.stop();
    assertThat(registry.isRunning()).isFalse();
    assertThat(Daemons.status(registry.url().resolve("/v2/"))).isEqualTo(-1);
    assertThat(
            skopeo
                .tryRun(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + ref))
                .succeeded())
        .isFalse();

    registry.start();
    registry.clearCount();
    assertThat(skopeo.manifestDigest(ref)).isEqualTo(small.digest());
    assertThat(registry.count("GET", "/v2/e2e/small/manifests/1\\.0")).isEqualTo(1);
  }

  @Test
  void basicAuthRegistryNeedsItsCredentials() throws Exception {
    RegistryProcess secured = lab.registry("secured", "alice", "s3cret");
    String ref = secured.hostPort() + "/e2e/small:1.0";
    Skopeo alice = skopeo.withCredentials("alice", "s3cret");
    alice.push(small, ref);
    assertThat(alice.manifestDigest(ref)).isEqualTo(small.digest());
    assertThat(
            skopeo
                .tryRun(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + ref))
                .stderr())
        .containsIgnoringCase("unauthorized");
    assertThat(secured.requests()).anySatisfy(e -> assertThat(e.status()).isEqualTo(401));
  }
}
