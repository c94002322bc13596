package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryExceptionTest {
  @ParameterizedTest
  @ValueSource(ints = {200, 399, 600})
  void status_outside4xxAnd5xx_isRejected(int status) {
    assertThatThrownBy(() -> new RegistryException(ErrorCode.UNKNOWN, status, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void code_missing_isRejectedWhereTheErrorIsMade() {
    assertThatThrownBy(() -> new RegistryException(null, 500, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("code");
  }

  @ParameterizedTest
  @CsvSource({"404, false", "401, false", "408, true", "429, true", "502, true", "503, true"})
  void temporary_onlyForTimeoutsRateLimitsAndUpstreamTrouble(int status, boolean expected) {
    assertThat(new RegistryException(ErrorCode.UNKNOWN, status, "x").temporary())
        .isEqualTo(expected);
  }
}
