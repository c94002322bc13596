package io.stevedore.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.cache.BlobCache;
import io.stevedore.cache.BlobContent;
import io.stevedore.cache.Cache;
import io.stevedore.cache.FillPolicy;
import io.stevedore.oci.Digest;
import io.stevedore.oci.RepositoryName;
import io.stevedore.route.UpstreamRouter;
import io.stevedore.store.StoredBlob;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.store.rocks.StoreTampering;
import io.stevedore.testing.FakeUpstream;
import io.stevedore.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Least-recently-used eviction within the quota, and verification of what is stored. */
class EvictionAndVerifyTest {
  private static final int CHUNK = 16 * 1024;
  private static final int BLOB = 100_000;
  private static final long QUOTA = 350_000;
  private static final RepositoryName REPO = RepositoryName.parse("team/app");

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final FakeUpstream upstream = new FakeUpstream("lab");
  private RocksStore store;
  private BlobCache cache;
  private Cache mirror;
  private Evictor evictor;
  private Operator operator;
  private final List<Digest> digests = new ArrayList<>();

  @BeforeEach
  void open() {
    openStore();
    for (int i = 0; i < 5; i++) {
      byte[] content = new byte[BLOB];
      new Random(i).nextBytes(content);
      digests.add(upstream.addBlob(content));
    }
  }

  private void openStore() {
    store = RocksStore.open(dir, CHUNK);
    mirror =
        Cache.over(store, clock, new FillPolicy(0, Duration.ZERO, Duration.ofMinutes(5)), 1 << 20);
    cache = mirror.blobs();
    evictor = new Evictor(mirror.contents(), QUOTA);
    operator = Operator.over(mirror, new UpstreamRouter(List.of(upstream)), Long.MAX_VALUE, clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void overTheQuota_theLeastRecentlyUsedGo_downToTheLowWatermark() throws IOException {
    fillAll();
    // Blob 0 is old but served again late: it is recently used now.
    clock.advance(Duration.ofMinutes(10));
    read(digests.get(0));

    Evictor.Report report = evictor.evict(line -> {});

    assertThat(report.evicted()).isEqualTo(2);
    assertThat(stored()).containsExactlyInAnyOrder(digests.get(0), digests.get(3), digests.get(4));
    assertThat(report.storedBytes()).isLessThanOrEqualTo(QUOTA * 90 / 100);
  }

  @Test
  void pinnedAndInUseBlobs_surviveEviction() throws IOException {
    fillAll();
    store.pins().pin("lab/team/app:1.0", List.of(digests.get(0)));
    Evictor evictEverything = new Evictor(mirror.contents(), 1);
    BlobContent reading = cache.open(upstream, REPO, digests.get(1));

    Evictor.Report report = evictEverything.evict(line -> {});
    reading.close();

    assertThat(stored()).containsExactlyInAnyOrder(digests.get(0), digests.get(1));
    assertThat(report.skippedInUse()).isEqualTo(1);
    assertThat(report.evicted()).isEqualTo(3);
  }

  @Test
  void evictedBlob_isFetchedAgainOnTheNextPull() throws IOException {
    fillAll();
    evictor.evict(line -> {});
    long before = upstream.count("GET blob");

    assertThat(Digest.sha256(read(digests.get(0)))).isEqualTo(digests.get(0));
    assertThat(upstream.count("GET blob")).isEqualTo(before + 1);
  }

  @Test
  void accessTimes_surviveARestart() throws IOException {
    fillAll();
    clock.advance(Duration.ofMinutes(10));
    read(digests.get(0));
    operator.verify(line -> {}); // flushes access times
    store.close();
    openStore();

    evictor.evict(line -> {});

    assertThat(stored()).contains(digests.get(0));
  }

  @Test
  void verify_removesACorruptedBlob_andTheNextPullFetchesItAgain() throws Exception {
    fillAll();
    store.close();
    StoreTampering.flipByte(dir, digests.get(2), 3L * CHUNK);
    openStore();
    List<String> progress = new ArrayList<>();

    Verifier.Report report = operator.verify(progress::add);

    assertThat(report.removedBlobs()).containsExactly(digests.get(2));
    assertThat(report.blobs()).isEqualTo(5);
    assertThat(progress)
        .anyMatch(line -> line.contains("removed corrupted blob " + digests.get(2)));
    assertThat(stored()).doesNotContain(digests.get(2));
    long before = upstream.count("GET blob");
    assertThat(Digest.sha256(read(digests.get(2)))).isEqualTo(digests.get(2));
    assertThat(upstream.count("GET blob")).isEqualTo(before + 1);
  }

  @Test
  void fillsOverTheQuota_triggerEvictionByThemselves() throws Exception {
    mirror.listen(evictor);
    fillAll(); // 500 kB into a 350 kB quota: the commits schedule an eviction

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (store.blobs().list().size() > 3 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }

    assertThat(store.blobs().list().stream().mapToLong(StoredBlob::size).sum())
        .isLessThanOrEqualTo(QUOTA);
  }

  /** Fills the five blobs one minute apart, oldest first. */
  private void fillAll() throws IOException {
    for (Digest digest : digests) {
      read(digest);
      clock.advance(Duration.ofMinutes(1));
    }
  }

  private byte[] read(Digest digest) throws IOException {
    try (BlobContent blob = cache.open(upstream, REPO, digest)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      blob.writeTo(out, 0, blob.size() - 1);
      return out.toByteArray();
    }
  }

  private List<Digest> stored() {
    return store.blobs().list().stream().map(StoredBlob::digest).toList();
  }
}
