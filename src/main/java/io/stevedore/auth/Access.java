package io.stevedore.auth;

/** What a request for a repository gets, before anything is fetched for it. */
public enum Access {
  /** Served. */
  GRANTED,
  /** 401 with a challenge: credentials (other than none or anonymous ones) might be let in. */
  CHALLENGE,
  /** 403 DENIED: an authenticated user whose rules do not cover the repository. */
  DENIED
}
