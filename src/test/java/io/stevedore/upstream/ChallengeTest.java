package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChallengeTest {

  @Test
  void parse_dockerHubBearer() {
    List<Challenge> challenges =
        Challenge.parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/alpine:pull\"");

    assertThat(challenges)
        .containsExactly(
            new Challenge(
                "bearer",
                Map.of(
                    "realm", "https://auth.docker.io/token",
                    "service", "registry.docker.io",
                    "scope", "repository:library/alpine:pull")));
  }

  @Test
  void parse_quotedCommasAndEscapes() {
    Challenge challenge =
        Challenge.parse(
                "Bearer realm=\"https://a/t\", scope=\"repository:x:pull,push\", "
                    + "error=\"say \\\"no\\\"\"")
            .getFirst();

    assertThat(challenge.param("scope")).contains("repository:x:pull,push");
    assertThat(challenge.param("error")).contains("say \"no\"");
    assertThat(challenge.param("realm")).contains("https://a/t");
  }

  @Test
  void parse_caseInsensitiveNamesAndUnquotedValues() {
    Challenge challenge = Challenge.parse("BASIC Realm=registry").getFirst();

    assertThat(challenge.is("basic")).isTrue();
    assertThat(challenge.param("realm")).contains("registry");
  }

  @Test
  void parse_severalChallengesInOneHeader() {
    List<Challenge> challenges =
        Challenge.parse("Basic realm=\"r, with comma\", Bearer realm=\"https://a/t\",service=s");

    assertThat(challenges).extracting(Challenge::scheme).containsExactly("basic", "bearer");
    assertThat(challenges.get(0).param("realm")).contains("r, with comma");
    assertThat(challenges.get(1).param("service")).contains("s");
  }

  @Test
  void parse_schemeWithoutParams() {
    assertThat(Challenge.parse("Basic")).containsExactly(new Challenge("basic", Map.of()));
  }

  @Test
  void parse_garbageYieldsNoParamsButNoFailure() {
    assertThat(Challenge.parse(null)).isEmpty();
    assertThat(Challenge.parse("")).isEmpty();
    assertThat(Challenge.parse("Bearer realm=\"unterminated").getFirst().param("realm"))
        .contains("unterminated");
    assertThat(Challenge.parse("Negotiate abc==").getFirst().scheme()).isEqualTo("negotiate");
    assertThat(Challenge.parse("=\"x\",,")).isNotNull();
  }

  @Test
  void param_emptyValueIsAbsent() {
    assertThat(Challenge.parse("Bearer realm=\"\"").getFirst().param("realm")).isEmpty();
  }
}
