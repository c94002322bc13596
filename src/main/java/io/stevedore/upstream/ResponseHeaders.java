package io.stevedore.upstream;

import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Response;

/** The registry headers of an upstream response, read leniently: what is unparsable is absent. */
final class ResponseHeaders {

  private static final Pattern CONTENT_RANGE_START = Pattern.compile("bytes\\s+(\\d{1,18})-");

  private ResponseHeaders() {}

  /** Content-Type without parameters, lower case; empty when absent. */
  static String mediaType(Response response) {
    return MediaType.essence(response.header("Content-Type"));
  }

  /** Docker-Content-Digest, unverified. */
  static Optional<Digest> claimedDigest(Response response) {
    String header = response.header("Docker-Content-Digest");
    return header != null && Digest.isDigest(header.strip())
        ? Optional.of(Digest.parse(header.strip()))
        : Optional.empty();
  }

  /** Content-Length, -1 when absent. Read from the header because a HEAD response has no body. */
  static long contentLength(Response response) {
    return parseLong(response.header("Content-Length")).orElse(-1L);
  }

  /** Where a 206's {@code Content-Range: bytes N-M/T} starts. */
  static Optional<Long> rangeStart(Response response) {
    String header = response.header("Content-Range");
    if (header == null) {
      return Optional.empty();
    }
    Matcher start = CONTENT_RANGE_START.matcher(header.strip());
    return start.lookingAt() ? Optional.of(Long.parseLong(start.group(1))) : Optional.empty();
  }

  static Optional<Long> parseLong(String text) {
    try {
      return text == null ? Optional.empty() : Optional.of(Long.parseLong(text.strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
