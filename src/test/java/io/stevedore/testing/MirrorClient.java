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
