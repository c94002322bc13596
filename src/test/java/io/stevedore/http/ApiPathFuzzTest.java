package io.stevedore.http;

import static io.stevedore.oci.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * ApiPath.parse on any decoded request path: NAME_UNKNOWN (404), or a split into a non-empty name
 * and the part after the last marker that loses nothing: the parts put back together are the path.
 */
class ApiPathFuzzTest {
  private static final List<String> MARKERS = List.of("/manifests/", "/blobs/", "/referrers/");

  @FuzzTest
  void parse(byte[] input) {
    String path = new String(input, StandardCharsets.UTF_8);
    ApiPath parsed;
    try {
      parsed = ApiPath.parse(path);
    } catch (RegistryException e) {
      assertRejected(e, ErrorCode.NAME_UNKNOWN, 404);
      return;
    }
    switch (parsed) {
      case ApiPath.Base() -> assertThat(path).isIn("/v2", "/v2/");
      case ApiPath.Unsupported unsupported ->
          assertThat(path.equals("/v2/_catalog") || path.contains("/blobs/uploads")).isTrue();
      case ApiPath.Tags(String name) -> assertSplit(path, name, "/tags/list", "");
      case ApiPath.Manifest(String name, String reference) ->
          assertSplit(path, name, "/manifests/", reference);
      case ApiPath.Blob(String name, String digest) -> assertSplit(path, name, "/blobs/", digest);
      case ApiPath.Referrers(String name, String digest) ->
          assertSplit(path, name, "/referrers/", digest);
    }
  }

  private static void assertSplit(String path, String name, String marker, String last) {
    assertThat(name).as("name").isNotEmpty();
    assertThat("/v2/" + name + marker + last).isEqualTo(path);
    for (String other : MARKERS) {
      assertThat(last).as("what follows the last marker").doesNotContain(other);
    }
  }
}
