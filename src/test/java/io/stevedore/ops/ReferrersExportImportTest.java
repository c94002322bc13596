package io.stevedore.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.cache.Cache;
import io.stevedore.cache.FillPolicy;
import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.Json;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.ReferrersIndex;
import io.stevedore.oci.RegistryException;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.StoredManifest;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.testing.FakeUpstream;
import io.stevedore.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export carries an image's cached referrers, and import makes the air-gapped mirror answer the
 * referrers API with them, without asking the (unreachable) upstream.
 */
class ReferrersExportImportTest {
  private static final String IMAGE = "team/app:1.0";
  private static final String SIG = "application/vnd.dev.cosign.artifact.sig.v1+json";
  private static final String SBOM = "application/spdx+json";
  private static final String EMPTY = "application/vnd.oci.empty.v1+json";

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final FakeUpstream upstream = new FakeUpstream("lab");
  private final UpstreamRouter router = new UpstreamRouter(List.of(upstream));
  private final UpstreamRouter.Route route =
      router.route(Optional.empty(), Optional.empty(), "team/app");
  private RocksStore source;
  private RocksStore airgapped;
  private Cache sourceCache;
  private Cache airgappedCache;
  private Digest image;

  @BeforeEach
  void open() {
    source = RocksStore.open(dir.resolve("source"));
    airgapped = RocksStore.open(dir.resolve("airgapped"));
    sourceCache = Cache.over(source, clock, FillPolicy.DEFAULT, 1 << 20);
    airgappedCache = Cache.over(airgapped, clock, FillPolicy.DEFAULT, 1 << 20);
    String configJson = "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
    Digest config = blob(source, configJson);
    Digest layer = blob(source, "layer");
    image =
        manifest(
            source,
            "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":%s,\"layers\":[%s]}"
                .formatted(
                    MediaType.OCI_MANIFEST,
                    descriptor(
                        "application/vnd.oci.image.config.v1+json", config, configJson.length()),
                    descriptor("application/vnd.oci.image.layer.v1.tar", layer, 5)));
    source.pins().pin(IMAGE, List.of(image, config, layer));
  }

  @AfterEach
  void close() {
    source.close();
    airgapped.close();
  }

  @Test
  void cachedReferrers_travelWithTheImage_andAreServedAirgapped() throws IOException {
    Digest signature = referrer(source, "signature", true);
    cacheReferrers(sourceCache, image, signature);
    int callsBefore = upstream.calls().size();

    byte[] archive = export();
    new Importer(airgappedCache.contents(), router)
        .importArchive(new ByteArrayInputStream(archive), l -> {});

    assertThat(referrersServedBy(airgappedCache))
        .containsExactly(Map.of(signature.toString(), SIG));
    assertThat(upstream.calls()).hasSize(callsBefore);
    assertThat(airgapped.pins().all()).containsKey("team/app@" + signature);
  }

  @Test
  void aReferrerWithoutItsBlobsInTheCache_isLeftOut() throws IOException {
    Digest signature = referrer(source, "signature", true);
    Digest partial = referrer(source, "evicted", false);
    cacheReferrers(sourceCache, image, signature, partial);

    new Importer(airgappedCache.contents(), router)
        .importArchive(new ByteArrayInputStream(export()), l -> {});

    assertThat(referrersServedBy(airgappedCache))
        .containsExactly(Map.of(signature.toString(), SIG));
  }

  @Test
  void importedReferrers_joinTheOnesTheMirrorHadCached() throws IOException {
    Digest signature = referrer(source, "signature", true);
    cacheReferrers(sourceCache, image, signature);
    byte[] sbomManifest =
        ("{\"schemaVersion\":2,\"artifactType\":\"" + SBOM + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    Digest sbom = Digest.sha256(sbomManifest);
    airgapped.manifests().put(new StoredManifest(sbom, MediaType.OCI_MANIFEST, sbomManifest));
    cacheReferrers(airgappedCache, image, sbom);

    new Importer(airgappedCache.contents(), router)
        .importArchive(new ByteArrayInputStream(export()), l -> {});

    assertThat(referrersServedBy(airgappedCache))
        .containsExactly(Map.of(sbom.toString(), SBOM), Map.of(signature.toString(), SIG));
  }

  private byte[] export() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Exporter(sourceCache.contents(), router).export(List.of(IMAGE), out, line -> {});
    return out.toByteArray();
  }

  /** Each listed referrer as {digest: artifactType}, answered while the upstream is down. */
  private List<Map<String, Object>> referrersServedBy(Cache cache) {
    upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 503, "air gap"));
    byte[] body = cache.referrers().get(route.upstream(), route.repository(), image, null).body();
    return ((List<?>) ((Map<?, ?>) Json.parse(body)).get("manifests"))
        .stream()
            .map(e -> (Map<?, ?>) e)
            .map(e -> Map.of((String) e.get("digest"), e.get("artifactType")))
            .toList();
  }

  /** A signature of the image, its layer stored in the cache only when {@code cached}. */
  private Digest referrer(RocksStore store, String content, boolean cached) {
    Digest empty = blob(store, "{}");
    Digest layer =
        cached ? blob(store, content) : Digest.sha256(content.getBytes(StandardCharsets.UTF_8));
    return manifest(
        store,
        ("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"artifactType\":\"%s\",\"config\":%s,"
                + "\"layers\":[%s],\"subject\":%s}")
            .formatted(
                MediaType.OCI_MANIFEST,
                SIG,
                descriptor(EMPTY, empty, 2),
                descriptor("application/octet-stream", layer, content.length()),
                descriptor(
                    MediaType.OCI_MANIFEST,
                    image,
                    source.manifests().find(image).orElseThrow().body().length)));
  }

  /**
   * The mirror asks the upstream for {@code subject}'s referrers and caches the answer: here an
   * index under the referrers tag, as registries without the referrers API keep it.
   */
  private void cacheReferrers(Cache cache, Digest subject, Digest... referrers) {
    byte[] index = ReferrersIndex.empty();
    for (Digest referrer : referrers) {
      var manifest = cache.contents().manifest(referrer).orElseThrow();
      index = ReferrersIndex.with(index, manifest.mediaType(), referrer, manifest.body());
    }
    upstream.tag("sha256-" + subject.hex(), index);
    cache.referrers().get(route.upstream(), route.repository(), subject, null);
  }

  private Digest manifest(RocksStore store, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(body);
    store.manifests().put(new StoredManifest(digest, MediaType.OCI_MANIFEST, body));
    return digest;
  }

  private Digest blob(RocksStore store, String text) {
    byte[] content = text.getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(content);
    if (store.blobs().find(digest).isPresent()) {
      return digest;
    }
    BlobWriter writer = store.blobs().begin(digest);
    writer.write(0, content, content.length);
    writer.commit(content.length, clock.instant());
    return digest;
  }

  private static String descriptor(String mediaType, Digest digest, long size) {
    return "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}"
        .formatted(mediaType, digest, size);
  }
}
