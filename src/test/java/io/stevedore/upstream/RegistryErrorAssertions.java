package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** How the upstream tests check the error a client of the mirror would get. */
final class RegistryErrorAssertions {
  private RegistryErrorAssertions() {}

  /**
   * Asserts that {@code call} fails with a {@link RegistryException} of {@code code} and HTTP
   * {@code status}, and that {@code more} holds for it (what its message must and must not say).
   */
  static void assertRegistryError(
      ThrowingCallable call, ErrorCode code, int status, Consumer<RegistryException> more) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.status()).isEqualTo(status);
              more.accept(e);
            });
  }
}
