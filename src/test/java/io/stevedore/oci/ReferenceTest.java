package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {
  @ParameterizedTest
  @ValueSource(strings = {"latest", "1.0", "v1.2.3-rc.1", "_private", "A_b-C.d", "0"})
  void parse_validTag_isATag(String text) {
    assertThat(Reference.parse(text)).isEqualTo(new Reference.Tag(text));
    assertThat(Reference.parse(text).toString()).isEqualTo(text);
  }

  @Test
  void parse_tagOf128Characters_isATag() {
    String tag = "a".repeat(128);

    assertThat(Reference.parse(tag)).isEqualTo(new Reference.Tag(tag));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", ".hidden", "-rc", "a/b", "a b", "tag\n", "ümlaut", "a+b", "a@b", "%2e"})
  void parse_invalidTag_isManifestInvalid(String text) {
    assertThatThrownBy(() -> Reference.parse(text))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.MANIFEST_INVALID));
  }

  @Test
  void parse_tagOf129Characters_isInvalid() {
    assertThatThrownBy(() -> Reference.parse("a".repeat(129)))
        .isInstanceOf(RegistryException.class);
  }

  @Test
  void parse_null_isInvalid() {
    assertThatThrownBy(() -> Reference.parse(null)).isInstanceOf(RegistryException.class);
  }

  @Test
  void parse_digestForm_isByDigest() {
    String text = "sha256:" + DigestTest.HEX64;

    Reference reference = Reference.parse(text);

    assertThat(reference).isEqualTo(new Reference.ByDigest(Digest.parse(text)));
    assertThat(reference.toString()).isEqualTo(text);
  }

  @Test
  void byDigest_withoutDigest_isRejectedWhereItIsMade() {
    assertThatThrownBy(() -> new Reference.ByDigest(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha256:abc", "latest:1", "md5:d41d8cd98f00b204e9800998ecf8427e"})
  void parse_textWithColonThatIsNoDigest_isDigestInvalid(String text) {
    assertThatThrownBy(() -> Reference.parse(text))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID));
  }
}
