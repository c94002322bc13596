package io.stevedore.upstream;

import io.stevedore.oci.RegistryException;
import java.io.IOException;

/**
 * Carries a {@link RegistryException} out of an OkHttp interceptor, whose contract allows only
 * {@link IOException}s; {@link UpstreamErrors#fromIo} unwraps it.
 */
final class UpstreamFailure extends IOException {
  private final RegistryException error;

  UpstreamFailure(RegistryException error) {
    super(error.getMessage(), error);
    this.error = error;
  }

  RegistryException error() {
    return error;
  }
}
