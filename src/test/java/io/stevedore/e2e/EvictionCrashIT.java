package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 while eviction deletes blobs and compacts: after a restart every blob the store still has
 * must be whole ({@code verify} removes nothing), and every blob must still be served right, from
 * the store or fetched again.
 */
class EvictionCrashIT {
  private static final int ROUNDS = 6;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension static final Lab lab = new Lab();
  private static RegistryProcess registry;
  private static StevedoreProcess roomy;
  private static StevedoreProcess tight;
  private static final List<String> paths = new ArrayList<>();

  @BeforeAll
  static void start() {
    registry = lab.registry();
    OciImage big = OciImages.shared().big();
    OciImage small = OciImages.shared().small();
    lab.push(big, "e2e/big:3.0");
    lab.push(small, "e2e/small:1.0");
    big.blobDigests().stream()
        .filter(d -> !d.equals(big.digest()))
        .forEach(d -> paths.add("/v2/e2e/big/blobs/" + d));
    small.blobDigests().stream()
        .filter(d -> !d.equals(small.digest()))
        .forEach(d -> paths.add("/v2/e2e/small/blobs/" + d));
    int port = FreePorts.freePort();
    int adminPort = FreePorts.freePort();
    // One data directory and config file, two quotas: a roomy server fills it, a tight one
    // evicts everything.
    roomy =
        lab.mirror(
            "mirror", config -> config.upstream(lab.upstream()).port(port).adminPort(adminPort));
    roomy.stop();
    tight =
        lab.mirror(
            "mirror",
            config ->
                config
                    .upstream(lab.upstream())
                    .port(port)
                    .adminPort(adminPort)
                    .env("STORAGE_MAX_dash_SIZE", "1MiB"));
    tight.stop();
  }

  @Test
  void killMinus9_duringEviction_leavesOnlyWholeBlobs() throws Exception {
    int wrongBodies = 0;
    List<String> killedAt = new ArrayList<>();
    RegistryProcess.Mark start = registry.mark();
    for (int round = 0; round < ROUNDS; round++) {
      roomy.start();
      for (String path : paths) {
        wrongBodies += servedRight(roomy, path) ? 0 : 1;
      }
      roomy.stop();

      tight.start();
      // Even rounds: as soon as gc starts evicting; odd rounds: once it reports the evictions,
      // while it compacts.
      String waitFor = round % 2 == 0 ? "evicting" : "evicted";
      killedAt.add(killDuringGc(waitFor));

      roomy.start();
      String verify = post(roomy, "/_stevedore/verify");
      assertThat(verify)
          .as("verify after a kill during eviction (%s)", killedAt)
          .contains("removed 0 blobs and 0 manifests");
      for (String path : paths) {
        wrongBodies += servedRight(roomy, path) ? 0 : 1;
      }
      roomy.stop();
    }

    assertThat(wrongBodies)
        .as("wrong bodies over %d rounds, killed at %s", ROUNDS, killedAt)
        .isZero();
  }

  /** Starts gc on the tight server and kills it -9 when a progress line contains {@code text}. */
  private String killDuringGc(String text) throws Exception {
    HttpResponse<InputStream> response =
        HTTP.send(
            HttpRequest.newBuilder(tight.adminUrl().resolve("/_stevedore/gc"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.contains(text)) {
          tight.kill();
          return line;
        }
      }
    } catch (IOException cutOff) {
      // the kill cut the stream
    }
    tight.kill();
    return "end of gc";
  }

  private static String post(StevedoreProcess mirror, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(mirror.adminUrl().resolve(path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofMinutes(2))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static boolean servedRight(StevedoreProcess mirror, String path) throws Exception {
    URI uri = mirror.url().resolve(path);
    HttpResponse<InputStream> response =
        HTTP.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    try (InputStream body = response.body()) {
      byte[] buffer = new byte[1 << 16];
      int read;
      while ((read = body.read(buffer)) >= 0) {
        sha256.update(buffer, 0, read);
      }
    }
    String expected = path.substring(path.lastIndexOf('/') + 1);
    return response.statusCode() == 200
        && ("sha256:" + HexFormat.of().formatHex(sha256.digest())).equals(expected);
  }
}
