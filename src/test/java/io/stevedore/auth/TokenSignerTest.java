package io.stevedore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokenSignerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final HmacSha256 key = HmacSha256.random();
  private final TokenSigner signer = new TokenSigner(key, Duration.ofMinutes(5), clock);

  @Test
  void aToken_namesItsClient_untilItExpires() {
    IssuedToken issued = signer.issue(new Client("alice"));

    assertThat(issued.issuedAt()).isEqualTo(clock.instant());
    assertThat(issued.expiresIn()).isEqualTo(Duration.ofMinutes(5));
    assertThat(signer.verify(issued.token())).contains(new Client("alice"));
    clock.advance(Duration.ofMinutes(5).minusSeconds(1));
    assertThat(signer.verify(issued.token())).contains(new Client("alice"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(signer.verify(issued.token())).isEmpty();
  }

  @Test
  void anAnonymousToken_namesAnonymous() {
    assertThat(signer.verify(signer.issue(Client.ANONYMOUS).token())).contains(Client.ANONYMOUS);
  }

  @Test
  void aTokenWithOtherClaims_isRefused() {
    String[] parts = signer.issue(new Client("bob")).token().split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                claims.replace("\"bob\"", "\"alice\"").getBytes(StandardCharsets.UTF_8));

    assertThat(signer.verify(parts[0] + "." + forged + "." + parts[2])).isEmpty();
  }

  @Test
  void aTokenOfAnotherKey_orAlteredSignature_orGarbage_isRefused() {
    String token = signer.issue(new Client("alice")).token();
    TokenSigner other = new TokenSigner(HmacSha256.random(), Duration.ofMinutes(5), clock);
    // The signature's first character: its last one holds padding bits in base64url, which a
    // lenient decoder ignores, so altering it may change no byte (1 time in 64 or so).
    int first = token.lastIndexOf('.') + 1;
    char was = token.charAt(first);
    String altered =
        token.substring(0, first) + (was == 'A' ? 'B' : 'A') + token.substring(first + 1);

    assertThat(other.verify(token)).isEmpty();
    assertThat(signer.verify(altered)).isEmpty();
    assertThat(signer.verify(token.substring(0, token.lastIndexOf('.')) + ".")).isEmpty();
    assertThat(signer.verify("not a token")).isEmpty();
    assertThat(signer.verify("a.b.c")).isEmpty();
    assertThat(signer.verify("")).isEmpty();
  }

  @Test
  void theSameKey_checksTokensOfAnotherSigner_asAfterARestart() {
    byte[] bytes = new byte[HmacSha256.KEY_BYTES];
    bytes[0] = 7;
    String token =
        new TokenSigner(new HmacSha256(bytes), Duration.ofMinutes(5), clock)
            .issue(new Client("alice"))
            .token();

    TokenSigner restarted =
        new TokenSigner(new HmacSha256(bytes.clone()), Duration.ofMinutes(5), clock);

    assertThat(restarted.verify(token)).contains(new Client("alice"));
  }
}
