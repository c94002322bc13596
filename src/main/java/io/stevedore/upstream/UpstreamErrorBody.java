package io.stevedore.upstream;

import io.stevedore.oci.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of an upstream's error body we look at: the first OCI error code in its first 64 KiB.
 */
final class UpstreamErrorBody {

  /** Like distribution's proxy: an upstream cannot make us buffer a huge error page. */
  static final int MAX_BYTES = 64 * 1024;

  private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([A-Za-z_]+)\"");

  private UpstreamErrorBody() {}

  /** At most {@link #MAX_BYTES} of {@code body} as text; empty when it cannot be read. */
  static String read(InputStream body) {
    try (body) {
      return new String(body.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      // The status already says what went wrong; a broken error body adds nothing.
      return "";
    }
  }

  /** The first {@code "code":"..."} of an OCI error body, when it is a code we know. */
  static Optional<ErrorCode> code(String body) {
    Matcher matcher = CODE.matcher(body);
    if (!matcher.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ErrorCode.valueOf(matcher.group(1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
