package io.stevedore.oci;

import static io.stevedore.oci.MediaType.DOCKER_MANIFEST;
import static io.stevedore.oci.MediaType.DOCKER_MANIFEST_LIST;
import static io.stevedore.oci.MediaType.OCI_INDEX;
import static io.stevedore.oci.MediaType.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptListTest {
  private static final List<String> ALL_FOUR =
      List.of(OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST);

  @Test
  void containerd_acceptsAllFourAndAnything() {
    AcceptList accept =
        AcceptList.parse(
            List.of(
                DOCKER_MANIFEST
                    + ", "
                    + DOCKER_MANIFEST_LIST
                    + ", "
                    + OCI_MANIFEST
                    + ", "
                    + OCI_INDEX
                    + ", */*"));

    assertThat(accept.manifestTypes()).containsExactlyElementsOf(ALL_FOUR);
    assertThat(accept.accepts("application/octet-stream")).isTrue();
  }

  @Test
  void docker_sendsOneHeaderPerType() {
    AcceptList accept =
        AcceptList.parse(
            List.of(
                DOCKER_MANIFEST,
                DOCKER_MANIFEST_LIST,
                OCI_INDEX,
                OCI_MANIFEST,
                "application/vnd.docker.distribution.manifest.v1+prettyjws",
                "application/json"));

    assertThat(accept.manifestTypes()).containsExactlyElementsOf(ALL_FOUR);
    assertThat(accept.accepts("text/html")).isFalse();
  }

  @Test
  void singleManifestClient_getsNoIndexTypes() {
    AcceptList accept = AcceptList.parse(List.of(DOCKER_MANIFEST + "," + OCI_MANIFEST));

    assertThat(accept.manifestTypes()).containsExactly(OCI_MANIFEST, DOCKER_MANIFEST);
    assertThat(accept.accepts(OCI_INDEX)).isFalse();
  }

  @Test
  void noHeader_acceptsAllFour() {
    assertThat(AcceptList.parse(List.of()).manifestTypes()).containsExactlyElementsOf(ALL_FOUR);
    assertThat(AcceptList.parse(List.of("", "  ")).manifestTypes())
        .containsExactlyElementsOf(ALL_FOUR);
    assertThat(AcceptList.parse(Arrays.asList((String) null)).manifestTypes())
        .containsExactlyElementsOf(ALL_FOUR);
  }

  @Test
  void qZero_excludesEvenWhenAWildcardAccepts() {
    AcceptList accept =
        AcceptList.parse(List.of("*/*", OCI_INDEX + ";q=0", DOCKER_MANIFEST_LIST + "; Q=0.000"));

    assertThat(accept.manifestTypes()).containsExactly(OCI_MANIFEST, DOCKER_MANIFEST);
  }

  @Test
  void specificType_beatsAnExcludedWildcard() {
    AcceptList accept = AcceptList.parse(List.of("application/*;q=0, " + OCI_MANIFEST));

    assertThat(accept.manifestTypes()).containsExactly(OCI_MANIFEST);
  }

  @Test
  void sameRangeListedAcceptedAndExcluded_isExcluded() {
    AcceptList accept = AcceptList.parse(List.of(OCI_INDEX + ", " + OCI_INDEX + ";q=0"));

    assertThat(accept.accepts(OCI_INDEX)).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "*/*                                        | application/vnd.oci.image.index.v1+json | true",
        "application/*                              | application/vnd.oci.image.index.v1+json | true",
        "text/*                                     | application/vnd.oci.image.index.v1+json | false",
        "*                                          | application/json                        | true",
        "'text/html, image/gif, *; q=.2, */*; q=.2' | application/json                        | true",
        "APPLICATION/JSON                           | application/json; charset=utf-8         | true",
        "application/json;q=0.5                     | application/json                        | true",
        "application/json;q=0.0                     | application/json                        | false",
        "application/json;q=0.01                    | application/json                        | true",
        "application/json;q=                        | application/json                        | true",
        "'application/json;p=\"a,b\";q=1'           | application/json                        | true",
        "'application/json;p=\"a,b\", text/plain'   | text/plain                              | true",
        "'*/json, text/plain'                       | application/json                        | false",
        "'json, text/plain'                         | application/json                        | false",
        "'application/, text/plain'                 | application/json                        | false",
        "'application/json/x, text/plain'           | application/json                        | false",
        "application/jsonx                          | application/json                        | false",
        "application/json                           | application/jsonx                       | false"
      })
  void accepts_followsTheMostSpecificRange(String header, String mediaType, boolean expected) {
    assertThat(AcceptList.parse(List.of(header)).accepts(mediaType)).isEqualTo(expected);
  }

  @Test
  void onlyMalformedRanges_readAsNoHeader() {
    assertThat(AcceptList.parse(List.of("json, */json")).manifestTypes())
        .containsExactlyElementsOf(ALL_FOUR);
  }

  @Test
  void parse_doesNotKeepTheCallersList() {
    List<String> headers = new ArrayList<>(List.of(OCI_MANIFEST));
    AcceptList accept = AcceptList.parse(headers);

    headers.set(0, "*/*");

    assertThat(accept.manifestTypes()).containsExactly(OCI_MANIFEST);
  }
}
