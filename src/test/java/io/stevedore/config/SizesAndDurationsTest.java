package io.stevedore.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesAndDurationsTest {
  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "1024, 1024",
    "10b, 10",
    "1KiB, 1024",
    "400MiB, 419430400",
    "50GiB, 53687091200",
    "2GB, 2000000000",
    "3k, 3072",
    "1TiB, 1099511627776",
    "' 5 MiB ', 5242880"
  })
  void sizes_parse(String text, long bytes) {
    assertThat(Sizes.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "MiB", "-1MiB", "1.5GiB", "12 apples", "99999999999TiB"})
  void sizes_rejectNonsense(String text) {
    assertThatThrownBy(() -> Sizes.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text.strip().isEmpty() ? "not a size" : text);
  }

  @ParameterizedTest
  @CsvSource({"500ms, PT0.5S", "30s, PT30S", "5m, PT5M", "1h, PT1H", "2d, PT48H", "PT5M, PT5M"})
  void durations_parse(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "5 minutes", "-5m", "m"})
  void durations_rejectNonsense(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a duration");
  }
}
