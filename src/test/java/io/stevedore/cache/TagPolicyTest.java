package io.stevedore.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.store.TagEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TagPolicyTest {
  private static final Instant CHECKED = Instant.parse("2026-01-01T00:00:00Z");
  private static final Digest DIGEST = Digest.sha256(new byte[] {1});

  @ParameterizedTest(name = "{0}s after the check, cached {1}, entry {2}: {3}")
  @CsvSource({
    "0, OCI_MANIFEST, true, SERVE_CACHED",
    "299, OCI_MANIFEST, true, SERVE_CACHED",
    "300, OCI_MANIFEST, true, REVALIDATE",
    "86400, OCI_MANIFEST, true, REVALIDATE",
    "0, OCI_INDEX, true, FETCH",
    "0, OCI_MANIFEST, false, FETCH",
  })
  void decide(long secondsLater, String cachedType, boolean hasEntry, TagPolicy.Decision expected) {
    String type = cachedType.equals("OCI_INDEX") ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
    Optional<TagEntry> entry =
        hasEntry ? Optional.of(new TagEntry(DIGEST, type, CHECKED)) : Optional.empty();
    // The client accepts only single-image manifests: a cached index is not what it asked for.
    List<String> accepted = List.of(MediaType.OCI_MANIFEST, MediaType.DOCKER_MANIFEST);

    TagPolicy.Decision decision =
        TagPolicy.decide(entry, accepted, CHECKED.plusSeconds(secondsLater), Duration.ofMinutes(5));

    assertThat(decision).isEqualTo(expected);
  }
}
