package io.stevedore.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Client authentication and access rules, as configured under {@code auth:}.
 *
 * @param mode none (the default), basic or token
 * @param htpasswdFile the users, bcrypt entries as {@code htpasswd -B} writes them; required unless
 *     the mode is none
 * @param tokenTtl how long a token from {@code /token} is valid
 * @param tokenKeyFile the key tokens are signed with, so they survive a restart; a random key per
 *     process when absent
 * @param tokenRealm the token URL the challenge names; by default the request's own scheme and Host
 *     with {@code /token}
 * @param rules who may pull what; without rules every authenticated user may pull everything
 */
public record AuthConfig(
    AuthMode mode,
    Optional<Path> htpasswdFile,
    Duration tokenTtl,
    Optional<Path> tokenKeyFile,
    Optional<URI> tokenRealm,
    List<AccessRule> rules) {

  /** No client authentication: a mirror on a trusted network. */
  public static final AuthConfig OFF =
      new AuthConfig(
          AuthMode.NONE,
          Optional.empty(),
          Duration.ofMinutes(5),
          Optional.empty(),
          Optional.empty(),
          List.of());

  public AuthConfig {
    rules = List.copyOf(rules);
    if (mode != AuthMode.NONE && htpasswdFile.isEmpty()) {
      throw new IllegalArgumentException(
          "auth.htpasswd-file: required with mode "
              + mode.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (tokenTtl.isNegative() || tokenTtl.isZero()) {
      throw new IllegalArgumentException("auth.token-ttl: must be positive, got " + tokenTtl);
    }
  }
}
