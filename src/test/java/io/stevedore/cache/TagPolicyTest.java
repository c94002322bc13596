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

  @ParameterizedTest(name = "cached for {0} as {1}, asked with {2}: {3}")
  @CsvSource({
    "ALL, OCI_MANIFEST, OCI_MANIFEST, true",
    "ALL, OCI_MANIFEST, ALL, true",
    "ALL, OCI_INDEX, ALL, true",
    "ALL, OCI_INDEX, OCI_MANIFEST, false",
    "SINGLE, OCI_MANIFEST, SINGLE, true",
    "SINGLE, OCI_MANIFEST, OCI_MANIFEST, true",
    // The manifest may stand in for an index this client would have been given.
    "SINGLE, OCI_MANIFEST, ALL, false",
    "OCI_MANIFEST+OCI_INDEX, OCI_INDEX, ALL, true",
    "OCI_MANIFEST+OCI_INDEX, OCI_MANIFEST, ALL, false",
    "OCI_MANIFEST+OCI_INDEX, OCI_MANIFEST, OCI_MANIFEST+OCI_INDEX, true",
  })
  void answersAlike(String cachedFor, String type, String accepted, boolean alike) {
    assertThat(TagPolicy.answersAlike(types(cachedFor), types(type).getFirst(), types(accepted)))
        .isEqualTo(alike);
  }

  private static List<String> types(String names) {
    return switch (names) {
      case "ALL" -> MediaType.MANIFEST_TYPES;
      case "SINGLE" -> List.of(MediaType.OCI_MANIFEST, MediaType.DOCKER_MANIFEST);
      default ->
          java.util.Arrays.stream(names.split("\\+"))
              .map(name -> name.equals("OCI_INDEX") ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST)
              .toList();
    };
  }
}
