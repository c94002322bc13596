package io.stevedore.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The head of an HTTP/1.1 message as it travels: the start line and the header lines in their
 * order, for a test proxy that reads one and writes it on, changed.
 */
record HttpHead(String startLine, List<String[]> headers) {
  private static final int MAX_BYTES = 64 * 1024;

  /** Reads a head up to its empty line; empty when the stream ends before a start line. */
  static Optional<HttpHead> read(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int matched = 0; // of "\r\n\r\n"
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (bytes.size() == 0) {
          return Optional.empty();
        }
        throw new IOException("the message ended inside its head");
      }
      bytes.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (bytes.size() > MAX_BYTES) {
        throw new IOException("a head over " + MAX_BYTES + " bytes");
      }
    }
    List<String> lines = bytes.toString(StandardCharsets.ISO_8859_1).strip().lines().toList();
    List<String[]> headers = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      int colon = line.indexOf(':');
      headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
    }
    return Optional.of(new HttpHead(lines.getFirst(), List.copyOf(headers)));
  }

  /** A response head with no headers yet. */
  static HttpHead response(int status) {
    return new HttpHead("HTTP/1.1 " + status + " Fault", List.of());
  }

  /** The first value of header {@code name}, any case; null when absent. */
  String header(String name) {
    return headers.stream()
        .filter(h -> h[0].equalsIgnoreCase(name))
        .map(h -> h[1])
        .findFirst()
        .orElse(null);
  }

  /** This head with header {@code name} set to {@code value} alone. */
  HttpHead with(String name, String value) {
    List<String[]> changed = new ArrayList<>(without(name).headers);
    changed.add(new String[] {name, value});
    return new HttpHead(startLine, List.copyOf(changed));
  }

  HttpHead without(String name) {
    return new HttpHead(
        startLine, headers.stream().filter(h -> !h[0].equalsIgnoreCase(name)).toList());
  }

  /** The status of a response head. */
  int status() {
    return Integer.parseInt(startLine.split(" ", 3)[1]);
  }

  /** The Content-Length, -1 when there is none. */
  long contentLength() {
    String value = header("Content-Length");
    return value == null ? -1 : Long.parseLong(value);
  }

  byte[] bytes() {
    StringBuilder text = new StringBuilder(startLine).append("\r\n");
    headers.forEach(h -> text.append(h[0]).append(": ").append(h[1]).append("\r\n"));
    return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
