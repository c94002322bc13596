package io.stevedore.oci;

import static io.stevedore.oci.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Reference.parse on any path segment: a tag of the spec's grammar, a digest, or a
 * RegistryException (DIGEST_INVALID when it has a colon, else MANIFEST_INVALID); what parses prints
 * back as it was.
 */
class ReferenceFuzzTest {

  @FuzzTest
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Reference reference;
    try {
      reference = Reference.parse(text);
    } catch (RegistryException e) {
      assertRejected(
          e, text.contains(":") ? ErrorCode.DIGEST_INVALID : ErrorCode.MANIFEST_INVALID, 400);
      return;
    }
    assertThat(reference.toString()).isEqualTo(text);
    assertThat(Reference.parse(reference.toString())).isEqualTo(reference);
    switch (reference) {
      case Reference.Tag tag -> assertThat(isTag(tag.name())).as("tag grammar").isTrue();
      case Reference.ByDigest byDigest ->
          assertThat(byDigest.digest()).isEqualTo(Digest.parse(text));
    }
  }

  /** The distribution spec's {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}, checked by hand. */
  private static boolean isTag(String name) {
    if (name.isEmpty() || name.length() > 128 || name.charAt(0) == '.' || name.charAt(0) == '-') {
      return false;
    }
    return name.chars().allMatch(c -> isAsciiAlphanumeric(c) || c == '_' || c == '.' || c == '-');
  }

  private static boolean isAsciiAlphanumeric(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
