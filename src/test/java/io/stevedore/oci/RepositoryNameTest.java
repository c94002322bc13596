package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "alpine",
        "library/alpine",
        "a/b/c/d",
        "my-org/my_app",
        "a__b",
        "a--b",
        "a---b",
        "a.b/c-d/e_f",
        "0/1",
        "ghcr.io/org/app"
      })
  void parse_specExample_isValid(String text) {
    assertThat(RepositoryName.parse(text).value()).isEqualTo(text);
  }

  @Test
  void parse_nameOf255Characters_isValid() {
    String name = "a".repeat(127) + "/" + "b".repeat(127);

    assertThat(RepositoryName.parse(name).toString()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Library/alpine",
        "alpinE",
        "/alpine",
        "alpine/",
        "a/",
        "a//b",
        "_a",
        "a_",
        "-a",
        "a.",
        "a___b",
        "a._b",
        "a/./b",
        "a/../b",
        "a b",
        "a:b",
        "a\nb"
      })
  void parse_invalidName_isNameInvalid(String text) {
    assertThatThrownBy(() -> RepositoryName.parse(text))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NAME_INVALID);
              assertThat(e.status()).isEqualTo(400);
            });
  }

  @Test
  void parse_nameOf256Characters_isNameInvalid() {
    String name = "a".repeat(128) + "/" + "b".repeat(127);

    assertThatThrownBy(() -> RepositoryName.parse(name))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("255");
  }

  @Test
  void parse_null_isNameInvalid() {
    assertThatThrownBy(() -> RepositoryName.parse(null)).isInstanceOf(RegistryException.class);
  }

  @ParameterizedTest
  @CsvSource({"alpine, library/alpine", "library/alpine, library/alpine", "org/app, org/app"})
  void withDockerHubLibrary_prefixesOnlySingleSegmentNames(String name, String expected) {
    assertThat(RepositoryName.parse(name).withDockerHubLibrary().value()).isEqualTo(expected);
  }
}
