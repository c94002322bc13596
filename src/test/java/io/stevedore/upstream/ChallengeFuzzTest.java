package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code WWW-Authenticate} parser on any header value: it never fails and always ends; schemes
 * and parameter names are non-empty lower-case tokens; and the challenges written back as a header
 * (values quoted and escaped) read back the same.
 */
class ChallengeFuzzTest {
  private static final String SEPARATORS = " \t,=\"";

  @FuzzTest
  void parse(byte[] input) {
    String header = new String(input, StandardCharsets.ISO_8859_1);
    List<Challenge> challenges = Challenge.parse(header);

    for (Challenge challenge : challenges) {
      assertToken(challenge.scheme());
      // Char by char, as equalsIgnoreCase compares: "ß".toUpperCase() is "SS", another length.
      String upper =
          challenge
              .scheme()
              .chars()
              .map(Character::toUpperCase)
              .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
              .toString();
      assertThat(challenge.is(upper)).isTrue();
      challenge
          .params()
          .forEach(
              (name, value) -> {
                assertToken(name);
                assertThat(challenge.param(name).orElse("")).isEqualTo(value);
              });
    }
    assertThat(Challenge.parse(written(challenges))).as("written back").isEqualTo(challenges);
  }

  private static void assertToken(String token) {
    assertThat(token).isNotEmpty().isEqualTo(token.toLowerCase(Locale.ROOT));
    assertThat(token.chars()).noneMatch(c -> SEPARATORS.indexOf(c) >= 0);
  }

  /**
   * The header a server would send: {@code scheme name="value", ...}, challenges comma-separated.
   */
  private static String written(List<Challenge> challenges) {
    return challenges.stream()
        .map(challenge -> challenge.scheme() + params(challenge.params()))
        .collect(Collectors.joining(", "));
  }

  private static String params(Map<String, String> params) {
    return params.entrySet().stream()
        .map(
            p ->
                p.getKey()
                    + "=\""
                    + p.getValue().replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\"")
        .collect(Collectors.joining(", ", params.isEmpty() ? "" : " ", ""));
  }
}
