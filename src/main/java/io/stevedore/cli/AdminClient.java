package io.stevedore.cli;

import io.stevedore.config.AdminConfig;
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
import java.util.Optional;

/**
 * The command line's way into a running server's admin endpoints ({@code /_stevedore/...}) when the
 * server holds the store: RocksDB lets one process open it.
 */
final class AdminClient {
  private final URI base;
  private final Optional<String> token;
  private final HttpClient http = HttpClient.newHttpClient();

  private AdminClient(URI base, Optional<String> token) {
    this.base = base;
    this.token = token;
  }

  /** The client of the admin listener {@code settings} configure ({@code admin.*}). */
  static AdminClient of(StevedoreConfig settings) {
    AdminConfig admin = settings.admin();
    String host = admin.host().equals("0.0.0.0") ? "127.0.0.1" : admin.host();
    return new AdminClient(
        URI.create("http://" + host + ":" + admin.port() + "/_stevedore/"), admin.token());
  }

  private HttpRequest.Builder post(URI uri, HttpRequest.BodyPublisher body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(body);
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return request;
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
        http.send(post(uri, body).build(), HttpResponse.BodyHandlers.ofInputStream());
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
            post(uri, HttpRequest.BodyPublishers.ofString(body)).build(),
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
