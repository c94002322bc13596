package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.testing.SmallDisk;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real mirror on a disk that fills up: its data directory is a small tmpfs (root needed to
 * mount it; skipped otherwise), and a ballast file takes the space a fill needs. The fill of a 100
 * MB layer fails cleanly (a 5xx that names the full disk, or a body cut off), cached manifests and
 * blobs keep being served, and once the ballast is gone the same process fills again, with no
 * restart. {@code /readyz} says 503 while the disk is full and 200 again once it is not, and {@code
 * /healthz} stays 200 throughout.
 */
class DiskFullIT {
  private static final Duration RECOVERY = Duration.ofSeconds(40);

  @RegisterExtension static final Lab lab = new Lab();
  private static SmallDisk disk;
  private static StevedoreProcess mirror;
  private static OciImage small;
  private static OciImage.Blob bigLayer;

  @BeforeAll
  static void start() {
    disk = lab.own(SmallDisk.mount(lab.path("disk"), 512));
    small = OciImages.shared().small();
    lab.push(small, "e2e/small:1.0");
    OciImage big = OciImages.shared().big();
    lab.push(big, "e2e/big:3.0");
    bigLayer = big.manifests().get(0).layers().get(0).blob();
    // Only the mirror's data lives on the small disk.
    mirror = lab.mirror("disk/stevedore", config -> config.upstream(lab.upstream()));
  }

  @Test
  void fullDisk_failsFillsCleanly_servesCachedContent_andRecoversWithoutRestart() throws Exception {
    // Cache the small image while there is room.
    assertCachedImageServed();
    long pid = mirror.pid();
    assertThat(get("/readyz").status()).as("ready with room on the disk").isEqualTo(200);

    disk.fillLeaving(24L * 1024 * 1024);
    Got unready = get("/readyz");
    assertThat(unready.status()).as("ready on a full disk: %s", unready).isEqualTo(503);
    assertThat(unready.text()).contains("\"unready\"").contains("space");
    assertThat(get("/healthz").status()).as("alive on a full disk").isEqualTo(200);
    String bigPath = "/v2/e2e/big/blobs/" + bigLayer.digest();
    Got first = get(bigPath);
    assertThat(first.complete(bigLayer)).as("a fill on a full disk: %s", first).isFalse();
    assertThat(first.status() >= 500 || first.cutOff())
        .as("a 5xx or a cut-off body: %s", first)
        .isTrue();
    Got refused = get(bigPath);
    assertThat(refused.status()).as("while the disk is full: %s", refused).isEqualTo(503);
    assertThat(refused.text()).contains("UNAVAILABLE").contains("space");

    assertCachedImageServed();

    disk.freeBallast();
    assertThat(get("/readyz").status()).as("ready once space is back").isEqualTo(200);
    Instant deadline = Instant.now().plus(RECOVERY);
    Got again = get(bigPath);
    while (!again.complete(bigLayer) && Instant.now().isBefore(deadline)) {
      Thread.sleep(250); // a poll interval; fills start again once the reserve is free
      again = get(bigPath);
    }
    assertThat(again.complete(bigLayer))
        .as("the fill after space was freed: %s%n%s", again, mirror.logTail())
        .isTrue();
    assertThat(mirror.pid()).as("same process, no restart").isEqualTo(pid);
    assertCachedImageServed();
    System.out.printf(
        "disk full: first fill %s; while full %s; after freeing %s%n", first, refused, again);
  }

  private static void assertCachedImageServed() throws Exception {
    OciImage.Manifest manifest = small.manifests().get(0);
    Got byTag = get("/v2/e2e/small/manifests/1.0", manifest.manifest().mediaType());
    assertThat(byTag.complete(manifest.manifest())).as("manifest by tag: %s", byTag).isTrue();
    Got byDigest =
        get(
            "/v2/e2e/small/manifests/" + manifest.manifest().digest(),
            manifest.manifest().mediaType());
    assertThat(byDigest.complete(manifest.manifest()))
        .as("manifest by digest: %s", byDigest)
        .isTrue();
    for (OciImage.Blob blob :
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(manifest.config()),
                manifest.layers().stream().map(OciImage.Layer::blob))
            .toList()) {
      Got got = get("/v2/e2e/small/blobs/" + blob.digest());
      assertThat(got.complete(blob)).as("blob %s: %s", blob.digest(), got).isTrue();
    }
  }

  /** A response: status, bytes, digest of the body, whether it ended cleanly, the start of it. */
  private record Got(int status, long bytes, String digest, boolean cutOff, String text) {
    boolean complete(OciImage.Blob blob) {
      return status == 200 && !cutOff && bytes == blob.size() && digest.equals(blob.digest());
    }

    @Override
    public String toString() {
      return "status "
          + status
          + ", "
          + bytes
          + " bytes"
          + (cutOff ? ", cut off" : "")
          + (status >= 400 ? ", " + text : "");
    }
  }

  private static Got get(String path, String... accept) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(mirror.url().resolve(path)).timeout(Duration.ofMinutes(1));
    for (String type : accept) {
      request.header("Accept", type);
    }
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<InputStream> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[256 * 1024];
      byte[] start = new byte[0];
      long bytes = 0;
      try (InputStream body = response.body()) {
        int read;
        while ((read = body.read(buffer)) >= 0) {
          if (start.length < 2048) {
            start = java.util.Arrays.copyOf(buffer, Math.min(2048, read));
          }
          sha256.update(buffer, 0, read);
          bytes += read;
        }
      } catch (IOException e) {
        return new Got(response.statusCode(), bytes, "", true, e.toString());
      }
      return new Got(
          response.statusCode(),
          bytes,
          "sha256:" + HexFormat.of().formatHex(sha256.digest()),
          false,
          new String(start, StandardCharsets.UTF_8));
    }
  }
}
