package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/** A blob download hashed as it streams: dozens of copies of a large blob do not fit in a heap. */
final class StreamedDigest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private StreamedDigest() {}

  /**
   * GETs {@code uri}, checks the 200 and the {@code Content-Length} of {@code size}, and returns
   * the body's digest ({@code sha256:...}).
   */
  static String sha256Of(URI uri, long size) throws Exception {
    HttpResponse<InputStream> response =
        HTTP.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(size);
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[256 * 1024];
    try (InputStream body = response.body()) {
      int read;
      while ((read = body.read(buffer)) >= 0) {
        sha256.update(buffer, 0, read);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(sha256.digest());
  }
}
