package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;

/** How the fuzz tests check a parser's refusal of bad input. */
public final class Rejections {
  private Rejections() {}

  /**
   * Asserts that {@code e} is the documented refusal: {@code code} with HTTP {@code status}, and a
   * message that quotes at most an abbreviated piece of the input, so that its size does not grow
   * with the input's (fuzz inputs reach 4 KiB; error bodies and log lines must stay small).
   */
  public static void assertRejected(RegistryException e, ErrorCode code, int status) {
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.status()).isEqualTo(status);
    assertThat(e.getMessage()).hasSizeLessThan(400);
  }
}
