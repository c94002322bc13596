package io.stevedore.app;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.archive.OciArchiveWriter;
import io.stevedore.oci.Descriptor;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.testing.MutableClock;
import io.stevedore.testing.TestMirrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An archive imported through the running server is served at once, with the clock standing still:
 * no remembered "not found" answer and no tag entry of another client hides it, and no upstream is
 * asked.
 */
class ImportWhileServingTest {
  private static final String SINGLE_MANIFEST_ONLY =
      MediaType.OCI_MANIFEST + ", " + MediaType.DOCKER_MANIFEST;

  @TempDir Path dir;

  // Knows nothing: every request is a 404, as for an image that was never pushed there.
  private final WireMockServer registry =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
  private final HttpClient http = HttpClient.newHttpClient();
  private Stevedore mirror;

  private final byte[] layer = "a layer's bytes".getBytes(StandardCharsets.UTF_8);
  private final byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
  private final byte[] manifest =
      ("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
              + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%d},"
              + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
              + "\"digest\":\"%s\",\"size\":%d}]}")
          .formatted(
              MediaType.OCI_MANIFEST,
              Digest.sha256(config),
              config.length,
              Digest.sha256(layer),
              layer.length)
          .getBytes(StandardCharsets.UTF_8);

  @BeforeEach
  void start() {
    registry.start();
    mirror =
        TestMirrors.start(
            dir, URI.create("http://127.0.0.1:" + registry.port()), clock, Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    mirror.close();
    registry.stop();
  }

  @Test
  void anArchiveImportedThroughTheServer_isServedAtOnce() throws Exception {
    Digest digest = Digest.sha256(manifest);
    String tagPath = "/v2/team/app/manifests/1.0";
    // Asked before the import: the upstream says 404, and the mirror remembers that.
    assertThat(get(tagPath, SINGLE_MANIFEST_ONLY).statusCode()).isEqualTo(404);
    assertThat(get(tagPath, String.join(", ", MediaType.MANIFEST_TYPES)).statusCode())
        .isEqualTo(404);
    assertThat(get("/v2/team/app/manifests/" + digest, null).statusCode()).isEqualTo(404);
    int upstreamRequests = registry.getAllServeEvents().size();

    HttpResponse<String> imported =
        http.send(
            HttpRequest.newBuilder(adminUri("/_stevedore/import"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(archive("team/app:1.0")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(imported.statusCode()).isEqualTo(200);
    assertThat(imported.body()).contains("imported 1 images").doesNotContain("failed:");

    for (String accept :
        new String[] {SINGLE_MANIFEST_ONLY, String.join(", ", MediaType.MANIFEST_TYPES), null}) {
      HttpResponse<String> byTag = get(tagPath, accept);
      assertThat(byTag.statusCode()).as("by tag, Accept %s", accept).isEqualTo(200);
      assertThat(byTag.headers().firstValue("Docker-Content-Digest")).contains(digest.toString());
    }
    assertThat(get("/v2/team/app/manifests/" + digest, null).statusCode()).isEqualTo(200);
    HttpResponse<String> blob = get("/v2/team/app/blobs/" + Digest.sha256(layer), null);
    assertThat(blob.statusCode()).isEqualTo(200);
    assertThat(blob.body()).isEqualTo(new String(layer, StandardCharsets.UTF_8));
    assertThat(registry.getAllServeEvents()).as("upstream requests").hasSize(upstreamRequests);
  }

  private byte[] archive(String refName) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OciArchiveWriter archive = new OciArchiveWriter(out)) {
      for (byte[] blob : new byte[][] {layer, config, manifest}) {
        archive.addBlob(Digest.sha256(blob), blob.length, stream -> stream.write(blob));
      }
      archive.addImage(
          refName,
          new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256(manifest), manifest.length));
    }
    return out.toByteArray();
  }

  private HttpResponse<String> get(String path, String accept) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(mirrorUri(path));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI mirrorUri(String path) {
    return URI.create("http://127.0.0.1:" + mirror.port() + path);
  }

  private URI adminUri(String path) {
    return URI.create("http://127.0.0.1:" + mirror.adminPort() + path);
  }
}
