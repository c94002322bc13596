package io.stevedore.oci;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that a client should see as an OCI error response: a code, an HTTP status and a message
 * that says what went wrong (never a credential).
 */
public class RegistryException extends RuntimeException {
  private final ErrorCode code;
  private final int status;
  private final transient Duration retryAfter;

  public RegistryException(ErrorCode code, String message) {
    this(code, code.status(), message, null, null);
  }

  public RegistryException(ErrorCode code, int status, String message) {
    this(code, status, message, null, null);
  }

  public RegistryException(
      ErrorCode code, int status, String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    if (code == null) {
      // Fail here, where the caller is, rather than when the error body is written.
      throw new IllegalArgumentException("an error needs a code");
    }
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an error status must be 4xx or 5xx, got " + status);
    }
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  public ErrorCode code() {
    return code;
  }

  public int status() {
    return status;
  }

  /** How long the client should wait before retrying (429, 503), when known. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Whether a retry may succeed later: rate limits and upstream trouble. */
  public boolean temporary() {
    return status == 408 || status == 429 || status >= 500;
  }

  public static RegistryException digestInvalid(String message) {
    return new RegistryException(ErrorCode.DIGEST_INVALID, message);
  }

  public static RegistryException nameInvalid(String message) {
    return new RegistryException(ErrorCode.NAME_INVALID, message);
  }

  public static RegistryException blobUnknown(Digest digest) {
    return new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown: " + digest);
  }

  public static RegistryException manifestUnknown(String reference) {
    return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown: " + reference);
  }
}
