package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Raw registry API requests, for what a client does not show: headers, error bodies, exact bytes.
 * HTTP/1.1 like the clients, and a whole body in memory, so keep it to manifests and small blobs.
 */
final class RegistryHttp {
  /** The four manifest media types plus a wildcard, as containerd sends them. */
  static final String ACCEPT_ALL_MANIFESTS =
      String.join(
          ", ",
          OciImage.MANIFEST,
          OciImage.INDEX,
          "application/vnd.docker.distribution.manifest.v2+json",
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "*/*");

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private RegistryHttp() {}

  /** {@code method uri} with no body, and {@code Accept: accept} unless it is null. */
  static HttpResponse<byte[]> send(String method, URI uri, String accept) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    if (accept != null) {
      request.header("Accept", accept);
    }
    return exchange(request);
  }

  /** Sends {@code request}; a minute is ample for anything kept in memory. */
  static HttpResponse<byte[]> exchange(HttpRequest.Builder request) {
    try {
      return HTTP.send(
          request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  /** An OCI error: this status, JSON, {@code code} in the errors list and a message with it. */
  static void assertError(HttpResponse<byte[]> response, int status, String code) {
    String what = describe(response);
    assertThat(response.statusCode()).as(what).isEqualTo(status);
    assertThat(header(response, "Content-Type")).as(what).startsWith("application/json");
    assertThat(new String(response.body(), StandardCharsets.UTF_8))
        .as(what)
        .matches(
            Pattern.compile(
                "\\s*\\{\\s*\"errors\"\\s*:\\s*\\[\\s*\\{.*\"code\"\\s*:\\s*\"" + code + "\".*",
                Pattern.DOTALL))
        .contains("\"message\"");
  }

  /** The request, status and body, for assertion messages. */
  static String describe(HttpResponse<byte[]> response) {
    return response.request().method()
        + " "
        + response.uri()
        + " -> "
        + response.statusCode()
        + " "
        + new String(response.body(), StandardCharsets.UTF_8);
  }
}
