package io.stevedore.upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bearer token and when it stops being usable. {@link #toString()} never shows the token.
 *
 * @param value the token to send as {@code Authorization: Bearer <value>}
 * @param expiresAt when the token endpoint said it expires, by our clock
 */
record Token(String value, Instant expiresAt) {

  /** What the distribution token spec says to assume when {@code expires_in} is absent. */
  static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

  private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern ACCESS_TOKEN =
      Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d{1,9})");

  /**
   * Reads a token endpoint's JSON answer. The lifetime counts from {@code receivedAt} (our clock),
   * not from the answer's {@code issued_at}, so clock skew between us and the issuer cannot make a
   * token look valid after it expired.
   *
   * @throws IllegalArgumentException when the answer holds neither {@code token} nor {@code
   *     access_token}; the message does not quote the answer, which may hold a secret
   */
  static Token parse(String json, Instant receivedAt) {
    String value = first(TOKEN, json);
    if (value == null) {
      value = first(ACCESS_TOKEN, json);
    }
    if (value == null) {
      throw new IllegalArgumentException("the token answer has neither token nor access_token");
    }
    String expiresIn = first(EXPIRES_IN, json);
    Duration lifetime =
        expiresIn == null || Long.parseLong(expiresIn) <= 0
            ? DEFAULT_LIFETIME
            : Duration.ofSeconds(Long.parseLong(expiresIn));
    return new Token(value, receivedAt.plus(lifetime));
  }

  private static String first(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? matcher.group(1) : null;
  }

  @Override
  public String toString() {
    return "Token[expiresAt=" + expiresAt + "]";
  }
}
