package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Twenty clients ask the real mirror for the same uncached 100 MB layer at once; the real upstream
 * registry's access log must show one GET of it, and every client must get the right bytes.
 */
class SingleFlightIT {
  private static final int CLIENTS = 20;

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static StevedoreProcess mirror;
  private static OciImage big;

  @BeforeAll
  static void start() {
    registry = lab.registry();
    big = OciImages.shared().big();
    lab.push(big, "e2e/big:3.0");
    mirror = lab.mirror();
  }

  @Test
  void twentyConcurrentClients_ofOneUncached100MbBlob_makeOneUpstreamGet() throws Exception {
    OciImage.Blob layer = big.manifests().get(0).layers().get(0).blob();
    assertThat(layer.size()).isGreaterThanOrEqualTo(100L * 1024 * 1024);
    String path = "/v2/e2e/big/blobs/" + layer.digest();
    RegistryProcess.Mark mark = registry.mark();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    List<Future<String>> digests = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < CLIENTS; i++) {
        digests.add(pool.submit(() -> sha256Of(client, mirror.url().resolve(path), layer.size())));
      }
      for (Future<String> digest : digests) {
        assertThat(digest.get()).isEqualTo(layer.digest());
      }
    }

    List<AccessLogEntry> blobGets =
        registry.requestsSince(mark).stream().filter(e -> e.matches("GET", path)).toList();
    assertThat(blobGets).hasSize(1);
  }

  /** Streams the body through SHA-256 (twenty copies of 100 MB do not belong in a heap). */
  private static String sha256Of(HttpClient client, URI uri, long size) throws Exception {
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).build(),
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
