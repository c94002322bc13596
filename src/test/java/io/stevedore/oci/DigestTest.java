package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
  static final String HEX64 = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";
  static final String HEX128 = HEX64 + HEX64;

  @ParameterizedTest
  @ValueSource(strings = {"sha256:" + HEX64, "sha512:" + HEX128})
  void parse_validDigest_roundTrips(String text) {
    assertThat(Digest.parse(text).toString()).isEqualTo(text);
    assertThat(Digest.isDigest(text)).isTrue();
  }

  @Test
  void parse_sha512_hasItsAlgorithm() {
    Digest digest = Digest.parse("sha512:" + HEX128);

    assertThat(digest.algorithm()).isEqualTo(Digest.Algorithm.SHA512);
    assertThat(digest.hex()).isEqualTo(HEX128);
  }

  static Stream<String> invalidDigests() {
    return Stream.of(
        "",
        HEX64,
        "sha256" + HEX64,
        "sha256:",
        "sha256:" + HEX64.substring(1),
        "sha256:" + HEX64 + "0",
        "sha256:" + HEX64.toUpperCase(),
        "sha256:" + HEX64.substring(1) + "g",
        "sha256:" + HEX64 + "\n",
        " sha256:" + HEX64,
        "SHA256:" + HEX64,
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha384:" + HEX64 + HEX64.substring(32),
        "sha512:" + HEX64,
        "sha256:" + HEX64 + ":",
        ":" + HEX64);
  }

  @ParameterizedTest
  @MethodSource("invalidDigests")
  void parse_invalidDigest_isDigestInvalid(String text) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_INVALID);
              assertThat(e.status()).isEqualTo(400);
            });
    assertThat(Digest.isDigest(text)).isFalse();
  }

  @Test
  void parse_null_isDigestInvalid() {
    assertThatThrownBy(() -> Digest.parse(null)).isInstanceOf(RegistryException.class);
  }

  @Test
  void parse_hugeInput_abbreviatesTheMessage() {
    String text = "sha256:" + "a".repeat(10_000);

    assertThatThrownBy(() -> Digest.parse(text)).message().hasSizeLessThan(300);
  }

  @Test
  void sha256_ofEmptyContent_isTheWellKnownDigest() {
    assertThat(Digest.sha256(new byte[0]).toString())
        .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void recompute_keepsTheAlgorithm() {
    byte[] content = "hello".getBytes(StandardCharsets.UTF_8);

    Digest digest = Digest.parse("sha512:" + HEX128).recompute(content);

    assertThat(digest.algorithm()).isEqualTo(Digest.Algorithm.SHA512);
    assertThat(digest.hex()).startsWith("9b71d224bd62f378");
  }
}
