package io.stevedore.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiPathTest {
  @Test
  void base() {
    assertThat(ApiPath.parse("/v2/")).isEqualTo(new ApiPath.Base());
    assertThat(ApiPath.parse("/v2")).isEqualTo(new ApiPath.Base());
  }

  @Test
  void manifest_withSlashesInTheName() {
    assertThat(ApiPath.parse("/v2/a/b/c/manifests/1.0"))
        .isEqualTo(new ApiPath.Manifest("a/b/c", "1.0"));
  }

  @Test
  void manifest_nameWithAManifestsSegment_splitsAtTheLast() {
    assertThat(ApiPath.parse("/v2/org/manifests/app/manifests/latest"))
        .isEqualTo(new ApiPath.Manifest("org/manifests/app", "latest"));
  }

  @Test
  void blob() {
    assertThat(ApiPath.parse("/v2/library/alpine/blobs/sha256:abc"))
        .isEqualTo(new ApiPath.Blob("library/alpine", "sha256:abc"));
  }

  @Test
  void tags() {
    assertThat(ApiPath.parse("/v2/org/app/tags/list")).isEqualTo(new ApiPath.Tags("org/app"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/v2/_catalog", "/v2/app/blobs/uploads/", "/v2/app/blobs/uploads/some-uuid"})
  void pushAndCatalog_areUnsupported(String path) {
    assertThat(ApiPath.parse(path)).isInstanceOf(ApiPath.Unsupported.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/",
        "/v1/x",
        "/v2/app",
        "/v2/app/things/1",
        "/v2//manifests/x",
        "/v2//blobs/x",
        "/v2//tags/list"
      })
  void otherPaths_areNotFound(String path) {
    assertThatThrownBy(() -> ApiPath.parse(path))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.code()).isEqualTo(ErrorCode.NAME_UNKNOWN);
            });
  }

  @Test
  void escapedColonOfADigest_isDecoded() {
    assertThat(ApiPath.parse("/v2/app/blobs/sha256%3Aabc"))
        .isEqualTo(new ApiPath.Blob("app", "sha256:abc"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/lab/../small/manifests/latest",
        "/v2/lab/%2e%2e/small/manifests/latest",
        "/v2/lab/%2E./small/manifests/latest",
        "/v2/./lab/manifests/latest",
        "/v2/lab%2fsmall/manifests/latest",
        "/v2/lab%2Fsmall/manifests/latest",
        "/v2/lab%5csmall/manifests/latest",
        "/v2/lab%00/manifests/latest",
        "/v2/lab/small/manifests/latest%00",
        "/v2/lab/small;x=y/manifests/latest",
        "/v2/lab/sm all/manifests/latest",
        "/v2/lab/small/manifests/latest%",
        "/v2/lab/small/manifests/latest%zz",
        "/v2/lab/sm\u00e4ll/manifests/latest",
        "/../etc/passwd"
      })
  void pathsThatANameTagOrDigestCannotForm_areInvalid(String path) {
    assertThatThrownBy(() -> ApiPath.parse(path))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID);
            });
  }
}
