package io.stevedore.auth;

import io.stevedore.oci.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Issues and checks the short-lived bearer tokens of the registry token flow. A token is a JWT
 * signed with HMAC-SHA256 ({@code HS256}) that names the client and when it expires; what the
 * client may pull is decided on each request, so a token grants no more than its user's rules at
 * the time of use. Only this mirror (or one with the same key file) can make or check one.
 */
final class TokenSigner {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final String HEADER =
      ENCODER.encodeToString(
          "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

  private final HmacSha256 key;
  private final Duration ttl;
  private final Clock clock;

  TokenSigner(HmacSha256 key, Duration ttl, Clock clock) {
    this.key = key;
    this.ttl = ttl;
    this.clock = clock;
  }

  IssuedToken issue(Client client) {
    Instant now = clock.instant();
    String claims =
        "{\"sub\":"
            + Json.quote(client.user())
            + ",\"iat\":"
            + now.getEpochSecond()
            + ",\"exp\":"
            + now.plus(ttl).getEpochSecond()
            + "}";
    String signed = HEADER + "." + ENCODER.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    byte[] mac = key.sign(signed.getBytes(StandardCharsets.US_ASCII));
    return new IssuedToken(signed + "." + ENCODER.encodeToString(mac), now, ttl);
  }

  /** The client {@code token} was issued to, unless it is not ours, was altered or expired. */
  Optional<Client> verify(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      String signed = parts[0] + "." + parts[1];
      if (!key.verify(DECODER.decode(parts[2]), signed.getBytes(StandardCharsets.US_ASCII))) {
        return Optional.empty();
      }
      // Signed by us, so the claims are the ones issue() wrote.
      Map<?, ?> claims = (Map<?, ?>) Json.parse(DECODER.decode(parts[1]));
      long expires = (Long) claims.get("exp");
      if (!clock.instant().isBefore(Instant.ofEpochSecond(expires))) {
        return Optional.empty();
      }
      return Optional.of(new Client((String) claims.get("sub")));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // not base64 at all
    }
  }
}
