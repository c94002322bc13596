package io.stevedore.e2e;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of docker-registry's access log (Apache combined format, written by gorilla/handlers on
 * stdout), for example:
 *
 * <pre>
 * 127.0.0.1 - - [27/Nov/2026:18:41:24 +0000] "GET /v2/foo/tags/list?n=1 HTTP/1.1" 404 111 "" "curl/7.88.1"
 * </pre>
 *
 * @param uri the request target as sent, query included
 * @param path {@code uri} without the query, which is what counts are usually about
 * @param query the part after {@code ?}, or empty
 */
public record AccessLogEntry(
    String remoteHost,
    String user,
    String time,
    String method,
    String uri,
    String path,
    String query,
    String protocol,
    int status,
    long bytes,
    String referer,
    String userAgent) {

  private static final Pattern LINE =
      Pattern.compile(
          "^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] \"(\\S+) (\\S+) (\\S+)\" (\\d{3}) (\\d+|-)"
              + " \"((?:[^\"\\\\]|\\\\.)*)\" \"((?:[^\"\\\\]|\\\\.)*)\"$");

  /** Parses an access-log line; other lines on the same stream yield empty. */
  public static Optional<AccessLogEntry> parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    String uri = m.group(6);
    int q = uri.indexOf('?');
    return Optional.of(
        new AccessLogEntry(
            m.group(1),
            m.group(2),
            m.group(4),
            m.group(5),
            uri,
            q < 0 ? uri : uri.substring(0, q),
            q < 0 ? "" : uri.substring(q + 1),
            m.group(7),
            Integer.parseInt(m.group(8)),
            m.group(9).equals("-") ? 0 : Long.parseLong(m.group(9)),
            m.group(10),
            m.group(11)));
  }

  /** True for a method (case-insensitive) and a path matching the whole regex. */
  public boolean matches(String method, String pathRegex) {
    return this.method.equalsIgnoreCase(method) && path.matches(pathRegex);
  }

  @Override
  public String toString() {
    return method + " " + uri + " " + status;
  }
}
