package io.stevedore.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: for requests no HTTP client would send (a
 * malformed request line, a header of 10 MB, a path with {@code ..} left in). One request per
 * connection; the answer is read until the server closes or the body's length is in.
 */
final class RawHttp {
  /**
   * What came back.
   *
   * @param status the status code, or -1 when the connection closed (or reset) before a status line
   */
  record Answer(int status, Map<String, String> headers, byte[] body) {
    boolean closedWithoutAnswer() {
      return status < 0;
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      if (closedWithoutAnswer()) {
        return "connection closed without an answer";
      }
      String text = bodyText();
      return status + " " + (text.length() <= 300 ? text : text.substring(0, 300) + "...");
    }
  }

  private RawHttp() {}

  /** {@code METHOD target HTTP/1.1} with Host and {@code Connection: close}, then {@code lines}. */
  static byte[] request(String method, String target, int port, String... lines) {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    head.append("Connection: close\r\n");
    for (String line : lines) {
      head.append(line).append("\r\n");
    }
    return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Sends {@code request} and reads the answer. A server that refuses a request it cannot take may
   * close (or reset) the connection while it is still being sent; whatever answer it wrote first is
   * still read.
   *
   * @param head whether the request was a HEAD (its answer has no body whatever its length)
   */
  static Answer exchange(int port, byte[] request, boolean head, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException refusedWhileSending) {
        // Read what the server answered before it closed, if anything.
      }
      return read(socket.getInputStream(), head);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer within " + timeout, e);
    } catch (IOException e) {
      return new Answer(-1, Map.of(), new byte[0]);
    }
  }

  private static Answer read(InputStream in, boolean head) throws IOException {
    ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    try {
      while (matched < 4 && (b = in.read()) >= 0) {
        headBytes.write(b);
        matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : 0;
      }
    } catch (IOException reset) {
      matched = -1;
    }
    if (matched < 4) {
      return new Answer(-1, Map.of(), new byte[0]);
    }
    String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
    }
    byte[] body = new byte[0];
    String length = headers.get("content-length");
    if (!head && length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    }
    return new Answer(status, headers, body);
  }
}
