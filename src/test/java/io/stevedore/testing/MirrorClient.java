package io.stevedore.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client of a running mirror, as a registry client would talk to it. */
public final class MirrorClient {
  private final HttpClient client = HttpClient.newHttpClient();
  private final URI base;

  public MirrorClient(int port) {
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  public HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(request(method, path, null), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code method path} with an {@code Authorization} header of this value. */
  public HttpResponse<String> send(String method, String path, String authorization)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(request(method, path, null), (name, value) -> true)
            .header("Authorization", authorization)
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<byte[]> bytes(String method, String path, String range) throws Exception {
    return client.send(request(method, path, range), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest request(String method, String path, String range) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(60));
    if (range != null) {
      builder.header("Range", range);
    }
    return builder.build();
  }
}
