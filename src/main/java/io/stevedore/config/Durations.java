package io.stevedore.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code
 * 2d}.
 */
public final class Durations {
  private static final Pattern DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private Durations() {}

  /**
   * Parses a duration; also accepts ISO-8601 ({@code PT5M}).
   *
   * @throws IllegalArgumentException with a message that shows the accepted forms
   */
  public static Duration parse(String text) {
    String value = text == null ? "" : text.strip();
    Matcher m = DURATION.matcher(value);
    if (m.matches()) {
      long number = Long.parseLong(m.group(1));
      return switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(number);
        case "s" -> Duration.ofSeconds(number);
        case "m" -> Duration.ofMinutes(number);
        case "h" -> Duration.ofHours(number);
        default -> Duration.ofDays(number);
      };
    }
    try {
      return Duration.parse(value);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (examples: 500ms, 30s, 5m, 1h, 2d)", e);
    }
  }
}
