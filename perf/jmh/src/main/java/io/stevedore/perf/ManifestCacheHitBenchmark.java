package io.stevedore.perf;

import io.stevedore.cache.CacheCounters;
import io.stevedore.cache.ManifestCache;
import io.stevedore.cache.ServedManifest;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.oci.Digest;
import io.stevedore.oci.MediaType;
import io.stevedore.oci.Reference;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.rocks.RocksStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cached manifest request: {@link ManifestCache#get} as {@code GET /v2/<name>/manifests/<ref>}
 * calls it, with the real store (RocksDB in a temp dir) behind it. By tag within the tag's
 * freshness (tag record from the store, manifest from the in-memory tier); by digest (manifest from
 * the in-memory tier plus the repository-link check). The upstream is asked once, in setup, and the
 * tear-down fails the run if it was asked again: the numbers are hits only. HTTP parsing and
 * writing the response are not included.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class ManifestCacheHitBenchmark {
  /** A client accepting all four manifest types (docker, containerd) asks for exactly this. */
  private static final List<String> ACCEPTED = MediaType.MANIFEST_TYPES;

  private static final RepositoryName REPOSITORY = new RepositoryName("library/alpine");
  private static final Reference.Tag TAG = new Reference.Tag("3.20");

  private Path directory;
  private RocksStore store;
  private CountingUpstream upstream;
  private ManifestCache cache;
  private Reference.ByDigest byDigest;

  @Setup(Level.Trial)
  public void fillCache() {
    directory = TempDirs.create("manifests");
    store = RocksStore.open(directory);
    // Freshness far beyond a trial: every by-tag request is served without revalidation.
    UpstreamConfig config =
        UpstreamConfig.builder("bench", URI.create("http://127.0.0.1:9"))
            .tagFreshness(Duration.ofHours(1))
            .build();
    upstream = new CountingUpstream(config, TAG.name(), imageManifest());
    // 64 MiB: the default storage.manifest-memory.
    cache =
        new ManifestCache(
            store.manifests(),
            store.tags(),
            store.links(),
            Clock.systemUTC(),
            64L * 1024 * 1024,
            new CacheCounters());
    byDigest = new Reference.ByDigest(upstream.digest());
    // The one miss: stores manifest, tag and links, as the first pull does.
    ServedManifest first = cache.get(upstream, REPOSITORY, TAG, ACCEPTED);
    if (!first.digest().equals(upstream.digest())) {
      throw new IllegalStateException("served " + first.digest());
    }
  }

  @TearDown(Level.Trial)
  public void checkOnlyHits() {
    int calls = upstream.calls();
    store.close();
    TempDirs.delete(directory);
    if (calls != 1) {
      throw new IllegalStateException(
          "the upstream was called " + calls + " times, not once: these were not all cache hits");
    }
  }

  @Benchmark
  public ServedManifest byTag() {
    return cache.get(upstream, REPOSITORY, TAG, ACCEPTED);
  }

  @Benchmark
  public ServedManifest byDigest() {
    return cache.get(upstream, REPOSITORY, byDigest, ACCEPTED);
  }

  /** An OCI image manifest of the usual shape and size (a config and five layers, ~1.3 KB). */
  private static byte[] imageManifest() {
    StringBuilder layers = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      if (i > 0) {
        layers.append(',');
      }
      layers
          .append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"")
          .append(fakeDigest("layer" + i))
          .append("\",\"size\":")
          .append(1_000_000L * (i + 1))
          .append('}');
    }
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaType.OCI_MANIFEST
            + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
            + "\"digest\":\""
            + fakeDigest("config")
            + "\",\"size\":1472},\"layers\":["
            + layers
            + "]}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static Digest fakeDigest(String seed) {
    return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
  }
}
