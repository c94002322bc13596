package io.stevedore.archive;

import java.io.IOException;

/**
 * The archive is not a well-formed OCI image-layout tar: truncated, damaged, or holding something a
 * layout must not (a link, a path outside the layout, an unknown file). Nothing read from it should
 * be trusted beyond blobs that were already verified.
 */
public class InvalidArchiveException extends IOException {
  public InvalidArchiveException(String message) {
    super(message);
  }
}
