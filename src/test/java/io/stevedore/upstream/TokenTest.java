package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @Test
  void parse_tokenAndExpiresIn() {
    Token token = Token.parse("{\"token\": \"abc.def\", \"expires_in\": 300}", NOW);

    assertThat(token.value()).isEqualTo("abc.def");
    assertThat(token.expiresAt()).isEqualTo(NOW.plusSeconds(300));
  }

  @Test
  void parse_accessTokenVariant() {
    assertThat(Token.parse("{\"access_token\":\"xyz\",\"expires_in\":120}", NOW).value())
        .isEqualTo("xyz");
  }

  @Test
  void parse_missingExpiresInDefaultsTo60Seconds() {
    assertThat(Token.parse("{\"token\":\"t\"}", NOW).expiresAt()).isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  void parse_lifetimeCountsFromReceiptNotIssuedAt() {
    Token token =
        Token.parse(
            "{\"token\":\"t\",\"expires_in\":60,\"issued_at\":\"2001-01-01T00:00:00Z\"}", NOW);

    assertThat(token.expiresAt()).isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  void parse_noTokenFails_withoutQuotingTheAnswer() {
    assertThatThrownBy(() -> Token.parse("{\"secret\":\"hunter2\"}", NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void toString_hidesTheToken() {
    assertThat(Token.parse("{\"token\":\"s3cr3t\"}", NOW).toString()).doesNotContain("s3cr3t");
  }
}
