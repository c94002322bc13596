package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.oci.Json;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The status page as a person sees it: a real headless Chromium loads {@code /_stevedore/} from the
 * admin listener, runs its script, and the rendered DOM shows a slow fill with its digest and byte
 * count while it runs, and the hit ratio once pulls were served from the cache.
 */
class StatusPageIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension static final Lab lab = new Lab();
  private static ThrottledRelay relay;
  private static StevedoreProcess mirror;
  private static OciImage.Blob layer;

  @BeforeAll
  static void start() throws Exception {
    OciImage big = OciImages.shared().big();
    lab.push(big, "e2e/big:3.0");
    layer = big.manifests().get(0).layers().get(0).blob();
    relay = lab.own(new ThrottledRelay(lab.registry().url()));
    mirror =
        lab.mirror(
            "stevedore",
            config -> config.upstream(MirrorUpstream.of("lab", relay.url()).asDefault()));
  }

  @Test
  void theRenderedPage_showsARunningFill_thenTheHitRatio() throws Exception {
    relay.rate(4L * 1024 * 1024);
    String path = "/v2/e2e/big/blobs/" + layer.digest();
    CompletableFuture<Long> download = download(path);
    awaitFillInStatusJson();

    String during = renderedPage();
    assertThat(during).as("the page during the fill").contains(layer.digest());
    assertThat(during)
        .as("a stored byte count in the fill's row")
        .containsPattern("(?s)<td[^>]*>" + layer.digest() + "</td>.*?\\(\\d+ B\\)");

    relay.rate(0);
    assertThat(download.get()).isEqualTo(layer.size());
    assertThat(download(path).get()).as("a hit").isEqualTo(layer.size());

    String after = renderedPage();
    assertThat(after)
        .as("the page after a miss and a hit")
        .containsPattern("id=\"hitRatio\">50\\.0 %<")
        .doesNotContain("<td>" + layer.digest() + "</td>");
  }

  /** GETs {@code path} from the mirror in the background; completes with the bytes read. */
  private static CompletableFuture<Long> download(String path) {
    return HTTP.sendAsync(
            HttpRequest.newBuilder(mirror.url().resolve(path)).build(),
            HttpResponse.BodyHandlers.ofInputStream())
        .thenApply(
            response -> {
              try (InputStream body = response.body()) {
                return body.transferTo(java.io.OutputStream.nullOutputStream());
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
  }

  /** Waits until status.json lists the fill with some bytes stored. */
  private static void awaitFillInStatusJson() throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    String json = "";
    while (Instant.now().isBefore(deadline)) {
      json =
          HTTP.send(
                  HttpRequest.newBuilder(mirror.adminUrl().resolve("/_stevedore/status.json"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      List<?> fills = (List<?>) ((Map<?, ?>) Json.parse(json)).get("fills");
      boolean storing =
          fills.stream()
              .map(fill -> (Map<?, ?>) fill)
              .anyMatch(
                  fill ->
                      layer.digest().equals(fill.get("digest"))
                          && ((Long) fill.get("storedBytes")) > 0);
      if (storing) {
        return;
      }
      Thread.sleep(100); // a poll: the fill reports progress per chunk
    }
    throw new AssertionError("no fill of " + layer.digest() + " in status.json: " + json);
  }

  /** The page's DOM after headless Chromium ran its script. */
  private static String renderedPage() {
    return HeadlessChromium.renderedDom(lab, mirror.adminUrl().resolve("/_stevedore/"));
  }
}
