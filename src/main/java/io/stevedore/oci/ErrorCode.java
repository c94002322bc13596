package io.stevedore.oci;

/**
 * Error codes of the OCI distribution spec (plus the few distribution adds), each with the HTTP
 * status it is usually sent with.
 */
public enum ErrorCode {
  BLOB_UNKNOWN(404),
  MANIFEST_UNKNOWN(404),
  NAME_UNKNOWN(404),
  DIGEST_INVALID(400),
  NAME_INVALID(400),
  MANIFEST_INVALID(400),
  SIZE_INVALID(400),
  RANGE_INVALID(416),
  UNAUTHORIZED(401),
  DENIED(403),
  UNSUPPORTED(405),
  TOOMANYREQUESTS(429),
  /** Upstream trouble: 502 (bad answer), 503 (unreachable) or 504 (timed out). */
  UNAVAILABLE(503),
  UNKNOWN(500);

  private final int status;

  ErrorCode(int status) {
    this.status = status;
  }

  /** The HTTP status this code is sent with unless a caller says otherwise. */
  public int status() {
    return status;
  }
}
