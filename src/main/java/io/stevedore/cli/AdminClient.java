package io.stevedore.cli;

import io.stevedore.config.StevedoreConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The command line's way into a running server's admin endpoints ({@code /_stevedore/...}) when the
 * server holds the store: RocksDB lets one process open it.
 */
final class AdminClient {
  private final URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  private AdminClient(URI base) {
    this.base = base;
  }

  static AdminClient of(StevedoreConfig settings) {
    String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
    return new AdminClient(URI.create("http://" + host + ":" + settings.port() + "/_stevedore/"));
  }

  /**
   * POSTs {@code body} to {@code endpoint} and prints the progress lines it answers with.
   *
   * @return the exit code: 1 when the answer was an error or a line reported a failure
   */
  int stream(String endpoint, HttpRequest.BodyPublisher body)
      throws IOException, InterruptedException {
    URI uri = base.resolve(endpoint);
    System.out.println("the store is in use: asking the server at " + uri);
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(uri).POST(body).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    boolean failed = response.statusCode() != 200;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        failed |= line.startsWith("failed:");
        System.out.println(line);
      }
    }
    return failed ? 1 : 0;
  }

  /** POSTs {@code body} to {@code endpoint} and saves the answer to {@code target}. */
  boolean download(String endpoint, String body, Path target)
      throws IOException, InterruptedException {
    URI uri = base.resolve(endpoint);
    System.out.println("the store is in use: asking the server at " + uri);
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        System.err.println("stevedore: " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
        return false;
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return true;
    }
  }
}
