package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The manifest and index reader (and the JSON reader under it) on any body and content type:
 * MANIFEST_INVALID (400) or a manifest whose kind and references agree with the document; any JSON
 * that parses writes back to the same value, and a manifest rewritten that way reads the same.
 *
 * <p>Input: the Content-Type on the first line, the body after it.
 */
class ManifestReaderFuzzTest {

  @FuzzTest
  void parse(byte[] input) {
    int newline = indexOf(input, (byte) '\n');
    String contentType =
        newline < 0 ? null : new String(input, 0, newline, StandardCharsets.ISO_8859_1);
    byte[] body = Arrays.copyOfRange(input, newline + 1, input.length);

    Object json = null;
    try {
      json = Json.parse(body);
      assertThat(Json.parse(Json.write(json))).as("JSON written back").isEqualTo(json);
    } catch (IllegalArgumentException notJson) {
      assertThat(notJson.getMessage()).hasSizeLessThan(1000);
    }

    Manifest manifest;
    try {
      manifest = Manifest.parse(body, contentType);
    } catch (RegistryException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).hasSizeLessThan(1000);
      return;
    }
    assertThat(json).as("a manifest is JSON").isInstanceOf(Map.class);
    Map<?, ?> root = (Map<?, ?>) json;
    assertThat(root.get("schemaVersion")).isEqualTo(2L);
    assertThat(MediaType.MANIFEST_TYPES).contains(manifest.mediaType());
    int subjects = root.get("subject") instanceof Map ? 1 : 0;
    if (manifest.isIndex()) {
      List<?> manifests = (List<?>) root.get("manifests");
      assertThat(manifest.entries()).hasSize(manifests.size());
      assertThat(manifest.references()).hasSize(manifests.size() + subjects);
      assertThat(manifest.entries().stream().map(Manifest.Entry::descriptor).toList())
          .isEqualTo(manifest.references().subList(0, manifests.size()));
    } else {
      List<?> layers = (List<?>) root.get("layers");
      assertThat(manifest.entries()).isEmpty();
      assertThat(manifest.references()).hasSize(1 + layers.size() + subjects);
    }
    for (Descriptor descriptor : manifest.references()) {
      assertThat(descriptor.size()).isNotNegative();
      assertThat(Digest.parse(descriptor.digest().toString())).isEqualTo(descriptor.digest());
    }
    assertThat(manifest.references()).containsAll(manifest.blobs());
    byte[] rewritten = Json.write(json).getBytes(StandardCharsets.UTF_8);
    assertThat(Manifest.parse(rewritten, contentType))
        .as("manifest written back")
        .isEqualTo(manifest);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
