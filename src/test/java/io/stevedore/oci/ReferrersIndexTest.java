package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferrersIndexTest {
  private static final String SBOM = "application/spdx+json";
  private static final String SIG = "application/vnd.dev.cosign.artifact.sig.v1+json";

  @Test
  void filter_keepsOnlyTheAskedArtifactType_andEverythingElseOfTheIndex() {
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"manifests\":["
            + entry("a", SBOM)
            + ","
            + entry("b", SIG)
            + ","
            + entry("c", SBOM)
            + "],\"annotations\":{\"x\":\"y\"}}";

    Map<?, ?> filtered =
        (Map<?, ?>) Json.parse(ReferrersIndex.filter(index.getBytes(StandardCharsets.UTF_8), SBOM));

    List<Object> digests =
        ((List<?>) filtered.get("manifests"))
            .stream().map(e -> (Object) ((Map<?, ?>) e).get("digest")).toList();
    assertThat(digests).containsExactly(digest("a"), digest("c"));
    assertThat(filtered.get("annotations")).isEqualTo(Map.of("x", "y"));
    assertThat(filtered.get("schemaVersion")).isEqualTo(2L);
  }

  @Test
  void empty_isAnIndexWithNoManifests() {
    Manifest parsed = Manifest.parse(ReferrersIndex.empty(), MediaType.OCI_INDEX);

    assertThat(parsed.isIndex()).isTrue();
    assertThat(parsed.references()).isEmpty();
  }

  @Test
  void filter_ofSomethingElse_isManifestInvalid() {
    for (String bad : List.of("[]", "{\"manifests\":3}", "not json")) {
      assertThatThrownBy(() -> ReferrersIndex.filter(bad.getBytes(StandardCharsets.UTF_8), SBOM))
          .isInstanceOfSatisfying(
              RegistryException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID));
    }
  }

  @Test
  void with_describesTheReferrer_typedByItsConfigWhenItHasNoArtifactType_andListsItOnce() {
    byte[] sbom =
        ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\""
                + SBOM
                + "\"},\"annotations\":{\"k\":\"v\"},\"subject\":{\"digest\":\""
                + digest("image")
                + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(sbom);

    byte[] once = ReferrersIndex.with(ReferrersIndex.empty(), MediaType.OCI_MANIFEST, digest, sbom);
    byte[] twice = ReferrersIndex.with(once, MediaType.OCI_MANIFEST, digest, sbom);

    assertThat(ReferrersIndex.subject(sbom)).contains(Digest.parse(digest("image")));
    assertThat(((Map<?, ?>) Json.parse(twice)).get("manifests"))
        .isEqualTo(
            List.of(
                Map.of(
                    "mediaType",
                    MediaType.OCI_MANIFEST,
                    "digest",
                    digest.toString(),
                    "size",
                    (long) sbom.length,
                    "artifactType",
                    SBOM,
                    "annotations",
                    Map.of("k", "v"))));
  }

  @Test
  void subject_ofAManifestWithoutOne_isEmpty() {
    assertThat(ReferrersIndex.subject("{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
  }

  private static String digest(String seed) {
    return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String entry(String seed, String artifactType) {
    return "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
        + digest(seed)
        + "\",\"size\":10,\"artifactType\":\""
        + artifactType
        + "\"}";
  }
}
