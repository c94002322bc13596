package io.stevedore.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.testing.FakeUpstream;
import io.stevedore.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobCacheTest {
  private static final int CHUNK = 64 * 1024;
  private static final RepositoryName REPO = RepositoryName.parse("team/app");

  @TempDir Path dir;

  private RocksStore store;
  private BlobCache cache;
  private final FakeUpstream upstream = new FakeUpstream("lab");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final byte[] content = random(CHUNK * 10 + 123);
  private Digest digest;
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final BlobListener events =
      new BlobListener() {
        @Override
        public void started(Digest d, String upstream, RepositoryName repository) {
          heard.add("started " + upstream + " " + repository);
        }

        @Override
        public void committed(Digest d, long size) {
          heard.add("committed " + size);
        }

        @Override
        public void failed(Digest d, RuntimeException cause) {
          heard.add("failed");
        }
      };

  @BeforeEach
  void open() {
    store = RocksStore.open(dir, CHUNK);
    cache = cacheWith(new ChunkBuffers(CHUNK, 64, 16, 16), events);
    digest = upstream.addBlob(content);
  }

  private BlobCache cacheWith(ChunkBuffers buffers, BlobListener listener) {
    return new BlobCache(
        store.blobs(),
        store.links(),
        new AccessTracker(store.blobs(), clock),
        new FillPolicy(3, Duration.ZERO, Duration.ofMinutes(10)),
        clock,
        listener,
        buffers);
  }

  /**
   * Memory does not grow with the clients: 40 of them, of a blob being filled and then of the
   * stored blob, never have more chunk buffers out than the budget, and each gets the blob.
   */
  @Test
  void manyClients_stayWithinTheBufferBudget_coldAndWarm() throws Exception {
    ChunkBuffers buffers = new ChunkBuffers(CHUNK, 8, 3, 8);
    cache = cacheWith(buffers, events);
    AtomicInteger mostOut = new AtomicInteger();
    for (String round : List.of("cold", "warm")) {
      List<Future<byte[]>> bodies = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 40; i++) {
          bodies.add(
              pool.submit(
                  () -> {
                    ByteArrayOutputStream out =
                        new ByteArrayOutputStream() {
                          @Override
                          public void write(byte[] b, int off, int len) {
                            mostOut.accumulateAndGet(buffers.out(), Math::max);
                            super.write(b, off, len);
                          }
                        };
                    try (BlobContent blob = cache.open(upstream, REPO, digest)) {
                      blob.writeTo(out, 0, blob.size() - 1);
                    }
                    return out.toByteArray();
                  }));
        }
        for (Future<byte[]> body : bodies) {
          assertThat(Digest.sha256(body.get())).as(round).isEqualTo(digest);
        }
      }
    }
    assertThat(upstream.count("GET blob")).isEqualTo(1);
    assertThat(mostOut.get()).isBetween(1, 8);
    assertThat(buffers.out()).as("every buffer back").isZero();
  }

  /**
   * Clients that stop reading hold the responses' whole share of the budget; a cold blob's fill
   * still runs on the fills' reserve, and its client gets the blob once the others move.
   */
  @Test
  void responsesStuckOnSlowClients_doNotStopAFill() throws Exception {
    Digest cold = upstream.addBlob(random(CHUNK * 6 + 7));
    CountDownLatch coldCommitted = new CountDownLatch(1);
    cache =
        cacheWith(
            new ChunkBuffers(CHUNK, 8, 3, 8),
            new BlobListener() {
              @Override
              public void committed(Digest d, long size) {
                if (d.equals(cold)) {
                  coldCommitted.countDown();
                }
              }
            });
    readAll(); // stored
    CountDownLatch clientsMove = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<byte[]>> stuck = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        stuck.add(pool.submit(() -> read(digest, new HeldOutputStream(clientsMove))));
      }
      Future<byte[]> coldBody = pool.submit(() -> read(cold, new ByteArrayOutputStream()));

      boolean filled;
      try {
        filled = coldCommitted.await(10, TimeUnit.SECONDS);
      } finally {
        clientsMove.countDown();
      }
      assertThat(filled).as("the fill ran while the clients were stuck").isTrue();
      assertThat(Digest.sha256(coldBody.get())).isEqualTo(cold);
      for (Future<byte[]> body : stuck) {
        assertThat(Digest.sha256(body.get())).isEqualTo(digest);
      }
    }
  }

  /** Waits at its first write until the latch opens: a client that stopped reading for a while. */
  private static final class HeldOutputStream extends ByteArrayOutputStream {
    private final CountDownLatch open;

    HeldOutputStream(CountDownLatch open) {
      this.open = open;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        open.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      super.write(b, off, len);
    }
  }

  private byte[] read(Digest blobDigest, ByteArrayOutputStream out) throws IOException {
    try (BlobContent blob = cache.open(upstream, REPO, blobDigest)) {
      blob.writeTo(out, 0, blob.size() - 1);
    }
    return out.toByteArray();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void miss_fetchesOnce_thenServesFromTheStore() throws IOException {
    assertThat(readAll()).isEqualTo(content);
    assertThat(readAll()).isEqualTo(content);

    assertThat(upstream.count("GET blob")).isEqualTo(1);
    assertThat(store.blobs().find(digest)).isPresent();
    assertThat(heard).containsExactly("started lab " + REPO, "committed " + content.length);
  }

  @Test
  void concurrentMisses_shareOneUpstreamFetch() throws Exception {
    int clients = 50;
    CountDownLatch attached = new CountDownLatch(clients);
    upstream.holdBodiesUntil(attached);
    List<Future<byte[]>> bodies = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < clients; i++) {
        bodies.add(
            pool.submit(
                () -> {
                  BlobContent blob = cache.open(upstream, REPO, digest);
                  attached.countDown();
                  ByteArrayOutputStream out = new ByteArrayOutputStream();
                  blob.writeTo(out, 0, blob.size() - 1);
                  return out.toByteArray();
                }));
      }
      for (Future<byte[]> body : bodies) {
        assertThat(Digest.sha256(body.get())).isEqualTo(digest);
      }
    }
    assertThat(upstream.count("GET blob")).isEqualTo(1);
    assertThat(heard).as("one fill, heard once").hasSize(2);
  }

  @Test
  void brokenConnection_resumesFromTheLastStoredChunk() throws IOException {
    upstream.breakFirstBodyAfter(content.length * 4 / 10);

    assertThat(readAll()).isEqualTo(content);

    long resumeAt = (content.length * 4L / 10) / CHUNK * CHUNK;
    assertThat(upstream.calls())
        .containsExactly(
            "GET blob " + digest + " from 0", "GET blob " + digest + " from " + resumeAt);
  }

  /**
   * A 429 with a short Retry-After on a resume is waited out, not counted as a resume: ten of them
   * in a row, against at most three resumes, and the fill still ends with the blob.
   */
  @Test
  void rateLimitedResumes_areWaitedOut_notCountedAgainstTheResumes() throws IOException {
    upstream.breakFirstBodyAfter(content.length / 2);
    upstream.refuseResumes(10, tooManyRequests(Duration.ZERO));

    assertThat(readAll()).isEqualTo(content);

    assertThat(upstream.count("GET blob")).isEqualTo(12);
  }

  @Test
  void aRetryAfterLongerThanAFillWaits_countsAsAResume_andTheFillGivesUp() {
    upstream.breakFirstBodyAfter(content.length / 2);
    upstream.refuseResumes(10, tooManyRequests(FillTask.LONGEST_RATE_LIMIT_PAUSE.plusSeconds(1)));

    assertThatThrownBy(this::readAll).hasMessageContaining("gave up after 3 resumes");
    assertThat(upstream.count("GET blob")).isEqualTo(4);
  }

  private static RegistryException tooManyRequests(Duration retryAfter) {
    return new RegistryException(
        ErrorCode.TOOMANYREQUESTS, 429, "upstream lab: slow down", retryAfter, null);
  }

  @Test
  void corruptUpstream_failsTheReader_storesNothing_andTheNextRequestFetchesAgain()
      throws IOException {
    byte[] corrupt = content.clone();
    corrupt[corrupt.length - 1] ^= 1;
    upstream.addCorruptBlob(digest, corrupt);

    assertThatThrownBy(this::readAll)
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("sent blob " + digest)
        .hasMessageContaining("nothing was stored");
    assertThat(store.blobs().find(digest)).isEmpty();

    upstream.addBlob(content);
    assertThat(readAll()).isEqualTo(content);
    assertThat(upstream.calls())
        .as("upstream calls")
        .filteredOn(c -> c.startsWith("GET"))
        .hasSize(2);
    assertThat(heard)
        .containsExactly(
            "started lab " + REPO, "failed", "started lab " + REPO, "committed " + content.length);
  }

  @Test
  void upstreamThatNeverTellsTheSize_isServedOnceVerified() throws IOException {
    upstream.hideSizes();

    assertThat(readAll()).isEqualTo(content);
    assertThat(store.blobs().find(digest))
        .hasValueSatisfying(b -> assertThat(b.size()).isEqualTo(content.length));
  }

  @Test
  void upstreamThatNeverTellsTheSize_andBreaksOff_isResumed() throws IOException {
    upstream.hideSizes();
    upstream.breakFirstBodyAfter(CHUNK * 3 + 5);

    assertThat(readAll()).isEqualTo(content);
    assertThat(upstream.count("GET blob")).isEqualTo(2);
  }

  @Test
  void fillPastItsTimeout_fails_andStoresNothing() {
    upstream.onEachBodyRead(() -> clock.advance(Duration.ofMinutes(2)));

    assertThatThrownBy(this::readAll)
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(504))
        .hasMessageContaining("took longer than PT10M");
    assertThat(store.blobs().find(digest)).isEmpty();
  }

  @Test
  void blobCachedForOneRepository_isConfirmedOnceForAnother_thenLinked() throws IOException {
    readAll();
    RepositoryName other = RepositoryName.parse("team/other");

    BlobContent first = cache.open(upstream, other, digest);
    BlobContent second = cache.open(upstream, other, digest);

    assertThat(first.size()).isEqualTo(content.length);
    assertThat(second.size()).isEqualTo(content.length);
    assertThat(upstream.count("HEAD blob")).isEqualTo(1);
    assertThat(upstream.count("GET blob")).isEqualTo(1);
  }

  @Test
  void blobCachedForOneRepository_isUnknownInAnotherThatLacksIt() throws IOException {
    readAll();
    upstream.onlyIn(REPO.value());

    assertThatThrownBy(() -> cache.open(upstream, RepositoryName.parse("team/other"), digest))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN));
    assertThatThrownBy(() -> cache.size(upstream, RepositoryName.parse("team/other"), digest))
        .isInstanceOf(RegistryException.class);
  }

  @Test
  void withTheUpstreamDown_onlyLinkedRepositoriesGetTheBlob() throws IOException {
    readAll();
    upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 503, "upstream lab down"));

    assertThat(readAll()).isEqualTo(content);
    assertThatThrownBy(() -> cache.open(upstream, RepositoryName.parse("team/other"), digest))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.getMessage()).contains("could not confirm").contains("team/other");
            });
  }

  @Test
  void rangeOnAMiss_servesJustThoseBytes() throws IOException {
    BlobContent blob = cache.open(upstream, REPO, digest);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    blob.writeTo(out, CHUNK - 10, 3 * CHUNK + 9);

    assertThat(out.toByteArray())
        .isEqualTo(Arrays.copyOfRange(content, CHUNK - 10, 3 * CHUNK + 10));
  }

  @Test
  void rangesOfAStoredBlob_acrossChunks_giveExactlyThoseBytes() throws IOException {
    readAll();
    int[][] ranges = {
      {0, 0},
      {CHUNK - 1, CHUNK},
      {CHUNK - 10, 3 * CHUNK + 9},
      {CHUNK, 2 * CHUNK - 1},
      {5, content.length - 1},
      {9 * CHUNK + 7, content.length - 2},
      {0, content.length - 1}
    };
    for (int[] range : ranges) {
      try (BlobContent blob = cache.open(upstream, REPO, digest)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        blob.writeTo(out, range[0], range[1]);

        assertThat(out.toByteArray())
            .as("bytes %d-%d", range[0], range[1])
            .isEqualTo(Arrays.copyOfRange(content, range[0], range[1] + 1));
      }
    }
    assertThat(upstream.count("GET blob")).isEqualTo(1);
  }

  @Test
  void clientGoneWhileAStoredBlobIsWritten_endsTheWrite_andTheBlobServesOn() throws IOException {
    readAll();
    OutputStream breaksAfterTwoChunks =
        new OutputStream() {
          private long written;

          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (written > 2L * CHUNK) {
              throw new IOException("connection reset by peer");
            }
          }
        };
    try (BlobContent blob = cache.open(upstream, REPO, digest)) {
      assertThatThrownBy(() -> blob.writeTo(breaksAfterTwoChunks, 0, blob.size() - 1))
          .isInstanceOf(IOException.class);
    }

    assertThat(readAll()).isEqualTo(content);
  }

  @Test
  void unknownBlob_isBlobUnknown() {
    Digest missing = Digest.sha256(new byte[] {42});

    assertThatThrownBy(() -> cache.open(upstream, REPO, missing))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void size_ofAnUncachedBlob_comesFromAHead_withoutFetching() {
    assertThat(cache.size(upstream, REPO, digest)).contains((long) content.length);

    assertThat(upstream.count("GET blob")).isZero();
    assertThat(upstream.count("HEAD blob")).isEqualTo(1);
  }

  @Test
  void missingBlob_isAskedUpstreamOnceWithinTheNegativeTtl_byGetAndHeadAlike() {
    Digest missing = Digest.sha256(new byte[] {42});

    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> cache.open(upstream, REPO, missing))
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BLOB_UNKNOWN));
      assertThatThrownBy(() -> cache.size(upstream, REPO, missing))
          .isInstanceOfSatisfying(
              RegistryException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
    assertThat(upstream.calls()).containsExactly("GET blob " + missing + " from 0");

    clock.advance(Duration.ofSeconds(31));
    assertThatThrownBy(() -> cache.open(upstream, REPO, missing))
        .isInstanceOf(RegistryException.class);
    assertThat(upstream.count("GET blob")).as("asked again after the negative TTL").isEqualTo(2);
  }

  @Test
  void missingBlobAskedByHead_isRememberedForGetsToo() {
    Digest missing = Digest.sha256(new byte[] {42});

    assertThat(cache.size(upstream, REPO, missing)).isEmpty();
    assertThatThrownBy(() -> cache.open(upstream, REPO, missing))
        .isInstanceOf(RegistryException.class);

    assertThat(upstream.calls()).containsExactly("HEAD blob " + missing);
  }

  @Test
  void rememberedMiss_isThatRepositorysOnly() throws IOException {
    upstream.onlyIn("team/other");
    assertThatThrownBy(this::readAll).isInstanceOf(RegistryException.class);

    assertThat(readAll(RepositoryName.parse("team/other"))).isEqualTo(content);
    assertThat(upstream.count("GET blob")).isEqualTo(2);
  }

  @Test
  void rememberedMiss_endsWhenAFillFromAnotherRepositoryCommitsTheBlob() throws IOException {
    upstream.onlyIn("team/other");
    assertThatThrownBy(this::readAll).isInstanceOf(RegistryException.class);
    assertThat(readAll(RepositoryName.parse("team/other"))).isEqualTo(content);
    // Evicted again, so only the upstream can answer; it now has the blob in REPO as well.
    assertThat(cache.evict(digest)).isTrue();
    upstream.onlyIn(null);

    assertThat(readAll()).isEqualTo(content);
    assertThat(upstream.count("GET blob")).isEqualTo(3);
  }

  @Test
  void rememberedMiss_endsWhenTheBlobIsImported() throws IOException {
    upstream.onlyIn("team/other");
    assertThatThrownBy(this::readAll).isInstanceOf(RegistryException.class);
    upstream.onlyIn(null);

    cache.imported(digest);

    assertThat(readAll()).isEqualTo(content);
    assertThat(upstream.count("GET blob")).isEqualTo(2);
  }

  private byte[] readAll() throws IOException {
    return readAll(REPO);
  }

  private byte[] readAll(RepositoryName repository) throws IOException {
    try (BlobContent blob = cache.open(upstream, repository, digest)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      blob.writeTo(out, 0, blob.size() - 1);
      return out.toByteArray();
    }
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(7).nextBytes(bytes);
    return bytes;
  }
}
