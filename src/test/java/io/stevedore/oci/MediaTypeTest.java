package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MediaTypeTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "application/vnd.oci.image.index.v1+json                    | true  | false",
        "application/vnd.docker.distribution.manifest.list.v2+json  | true  | false",
        "application/vnd.oci.image.manifest.v1+json                 | false | true",
        "application/vnd.docker.distribution.manifest.v2+json       | false | true",
        "APPLICATION/VND.OCI.IMAGE.INDEX.V1+JSON                    | true  | false",
        "application/vnd.oci.image.manifest.v1+json; charset=utf-8  | false | true",
        "' application/vnd.docker.distribution.manifest.list.v2+json ;q=1' | true | false",
        "application/vnd.docker.distribution.manifest.v1+prettyjws  | false | false",
        "application/json                                           | false | false",
        "application/vnd.oci.image.config.v1+json                   | false | false",
        "application/vnd.oci.image.index.v1+json.extra              | false | false",
        "''                                                         | false | false"
      })
  void isIndexAndIsManifest_classifyTheFourManifestTypes(
      String mediaType, boolean index, boolean manifest) {
    assertThat(MediaType.isIndex(mediaType)).isEqualTo(index);
    assertThat(MediaType.isManifest(mediaType)).isEqualTo(manifest);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "application/JSON; charset=UTF-8 | application/json",
        "' Text/Plain '                  | text/plain",
        "application/octet-stream        | application/octet-stream",
        "a/b;                            | a/b",
        "''                              | ''"
      })
  void essence_dropsParametersAndLowerCases(String mediaType, String expected) {
    assertThat(MediaType.essence(mediaType)).isEqualTo(expected);
  }

  @Test
  void essence_ofNull_isEmpty() {
    assertThat(MediaType.essence(null)).isEmpty();
    assertThat(MediaType.isIndex(null)).isFalse();
  }
}
