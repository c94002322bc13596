package io.stevedore.config;

/** How clients of the mirror authenticate, if at all. */
public enum AuthMode {
  /** Anyone who reaches the port may pull: a mirror on a trusted network. */
  NONE,
  /** HTTP Basic with the htpasswd users on every request. */
  BASIC,
  /**
   * The registry token flow: {@code WWW-Authenticate: Bearer realm=.../token}, a token for Basic
   * credentials at {@code GET /token}, that token on every request.
   */
  TOKEN
}
