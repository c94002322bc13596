package io.stevedore.oci;

import static io.stevedore.oci.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Digest.parse on any text: a digest that is exactly {@code algorithm:hex} of the right length in
 * lower case, or DIGEST_INVALID (400) with a bounded message; nothing else.
 */
class DigestFuzzTest {

  @FuzzTest
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Digest digest;
    try {
      digest = Digest.parse(text);
    } catch (RegistryException e) {
      assertRejected(e, ErrorCode.DIGEST_INVALID, 400);
      assertThat(Digest.isDigest(text)).isFalse();
      return;
    }
    assertThat(digest.toString()).isEqualTo(text);
    assertThat(digest.hex()).hasSize(digest.algorithm().hexLength());
    assertThat(digest.hex().chars())
        .allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
    assertThat(Digest.isDigest(text)).isTrue();
  }
}
