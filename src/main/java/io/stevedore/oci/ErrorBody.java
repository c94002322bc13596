package io.stevedore.oci;

import java.util.Locale;

/**
 * The OCI error JSON a client gets with every 4xx and 5xx: {@code
 * {"errors":[{"code":"...","message":"..."}]}}. The optional {@code detail} is left out, as the
 * spec allows, because nothing in a {@link RegistryException} belongs there.
 */
public final class ErrorBody {
  private ErrorBody() {}

  /** The error body for {@code error}; a missing message becomes the code in words. */
  public static String json(RegistryException error) {
    String message = error.getMessage();
    if (message == null || message.isBlank()) {
      message = error.code().name().replace('_', ' ').toLowerCase(Locale.ROOT);
    }
    return "{\"errors\":[{\"code\":"
        + Json.quote(error.code().name())
        + ",\"message\":"
        + Json.quote(message)
        + "}]}";
  }
}
