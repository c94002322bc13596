package io.stevedore.archive;

import java.io.IOException;

/**
 * The archive is not a well-formed OCI image-layout tar: truncated, damaged, or holding something a
 * layout must not (a link, a path outside the layout, an unknown file). Nothing read from it should
 * be trusted beyond blobs that were already verified.
 */
public class InvalidArchiveException extends IOException {
  private static final int MAX_MESSAGE = 600;
  private static final int KEPT_END = 200;

  public InvalidArchiveException(String message) {
    super(bounded(message));
  }

  /**
   * Messages quote names and JSON from the archive, which may be megabytes (a PAX path, an
   * index.json entry). Both ends say what is wrong, so a long message keeps its start and its end.
   */
  private static String bounded(String message) {
    if (message.length() <= MAX_MESSAGE) {
      return message;
    }
    return message.substring(0, MAX_MESSAGE - KEPT_END)
        + " [...] "
        + message.substring(message.length() - KEPT_END);
  }
}
