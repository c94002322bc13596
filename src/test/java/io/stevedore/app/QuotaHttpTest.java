package io.stevedore.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.stevedore.cache.FillPolicy;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.testing.MirrorClient;
import io.stevedore.testing.TestMirrors;
import io.stevedore.upstream.OkHttpUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte quota on a real data directory: what the disk holds after three quotas of pulls. */
class QuotaHttpTest {
  private static final long QUOTA = 64L * 1024 * 1024;
  private static final int BLOB = 8 * 1024 * 1024;
  private static final int BLOBS = 24; // 192 MiB: three times the quota

  /**
   * What the data directory holds besides blobs: the write-ahead log and memtable not yet flushed
   * (bounded by the store's WAL size limit), SST metadata, RocksDB's own files.
   */
  private static final long TOLERANCE = 80L * 1024 * 1024;

  @TempDir Path dir;

  private final WireMockServer registry =
      new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private Stevedore mirror;

  @AfterEach
  void stop() {
    if (mirror != null) {
      mirror.close();
    }
    registry.stop();
  }

  @Test
  void afterPullingThreeQuotas_theDiskHoldsAboutOneQuota_andRecentBlobsAreServed()
      throws Exception {
    registry.start();
    List<Digest> digests = new ArrayList<>();
    for (int i = 0; i < BLOBS; i++) {
      byte[] blob = new byte[BLOB];
      new Random(i).nextBytes(blob);
      Digest digest = Digest.sha256(blob);
      digests.add(digest);
      registry.stubFor(get(urlPathEqualTo(path(digest))).willReturn(aResponse().withBody(blob)));
    }
    UpstreamConfig upstream =
        UpstreamConfig.of("lab", URI.create("http://127.0.0.1:" + registry.port()));
    Clock clock = Clock.systemUTC();
    mirror =
        Stevedore.start(
            TestMirrors.config(dir, 0, QUOTA, List.of(upstream)),
            clock,
            new FillPolicy(0, Duration.ZERO, Duration.ofMinutes(5)),
            (c, listener) ->
                new OkHttpUpstream(c, OkHttpUpstream.defaultClient(), clock, listener));
    MirrorClient client = new MirrorClient(mirror.port());

    for (Digest digest : digests) {
      HttpResponse<byte[]> response = client.bytes("GET", path(digest), null);
      assertThat(Digest.sha256(response.body())).isEqualTo(digest);
    }
    mirror.operator().gc(line -> {});
    long onDisk = size(dir);
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .filter(Files::isRegularFile)
          .forEach(p -> System.out.println("FILE " + p.getFileName() + " " + p.toFile().length()));
    }

    assertThat(onDisk)
        .as("data directory after %d MiB of pulls into a %d MiB quota", BLOBS * 8, QUOTA >> 20)
        .isLessThanOrEqualTo(QUOTA + TOLERANCE);
    Digest newest = digests.get(BLOBS - 1);
    long upstreamGets =
        registry
            .findAll(
                com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                    urlPathEqualTo(path(newest))))
            .size();
    assertThat(Digest.sha256(client.bytes("GET", path(newest), null).body())).isEqualTo(newest);
    assertThat(
            registry.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                    urlPathEqualTo(path(newest)))))
        .hasSize((int) upstreamGets);
    System.out.printf("data directory: %d MiB for a %d MiB quota%n", onDisk >> 20, QUOTA >> 20);
  }

  private static String path(Digest digest) {
    return "/v2/team/app/blobs/" + digest;
  }

  private static long size(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
