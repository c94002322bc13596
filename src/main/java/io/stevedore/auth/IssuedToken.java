package io.stevedore.auth;

import java.time.Duration;
import java.time.Instant;

/**
 * A token as {@code GET /token} hands it out. {@link #toString()} never shows the token.
 *
 * @param token the bearer token
 * @param issuedAt when it was signed
 * @param expiresIn how long it is valid from then
 */
public record IssuedToken(String token, Instant issuedAt, Duration expiresIn) {
  @Override
  public String toString() {
    return "IssuedToken[issuedAt=" + issuedAt + ", expiresIn=" + expiresIn + "]";
  }
}
