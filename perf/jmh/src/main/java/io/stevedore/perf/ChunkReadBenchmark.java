package io.stevedore.perf;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobStore;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.rocks.RocksStore;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serving a cached blob: {@link BlobStore#readChunk} of the real store into a reused buffer,
 * chunk after chunk, the way {@code BlobContent.writeTo} streams a blob to a client (minus the
 * socket). The blob is written through the store's own write path (begin, write, commit) into its
 * blob file. With 256 MiB on a machine with GBs of RAM it sits in the page cache: this is the
 * store's CPU cost per byte, the ceiling for warm serving.
 *
 * <p>Knobs: the chunk size is a store parameter ({@code RocksStore.open(dir, chunkSize)}, default
 * {@link RocksStore#DEFAULT_CHUNK_SIZE}), so it is a {@link Param}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class ChunkReadBenchmark {

  @Param({"262144", "1048576", "4194304"})
  public int chunkSize;

  /** Blob size; reads go round-robin over all of its chunks. */
  @Param({"256"})
  public int blobMiB;

  private Path directory;
  private RocksStore store;
  private BlobStore blobs;
  private Digest digest;
  private int chunks;

  @Setup(Level.Trial)
  public void writeBlob() throws Exception {
    directory = TempDirs.create("chunks");
    store = RocksStore.open(directory, chunkSize);
    blobs = store.blobs();
    long size = (long) blobMiB * 1024 * 1024;
    chunks = (int) ((size + chunkSize - 1) / chunkSize);
    // Random content: chunks are stored uncompressed anyway, and it keeps anything from
    // deduplicating or compressing behind our back. A fixed seed keeps runs comparable.
    SplittableRandom random = new SplittableRandom(42);
    byte[] chunk = new byte[chunkSize];
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    // The real digest is known only after the bytes; the store keys chunks by digest, so
    // generate twice from the same seed: once to hash, once to write.
    for (int i = 0; i < chunks; i++) {
      random.nextBytes(chunk);
      sha256.update(chunk);
    }
    digest = Digest.of(Digest.Algorithm.SHA256, sha256.digest());
    random = new SplittableRandom(42);
    BlobWriter writer = blobs.begin(digest);
    for (int i = 0; i < chunks; i++) {
      random.nextBytes(chunk);
      writer.write(i, chunk, chunkSize);
    }
    writer.commit(size, Instant.now());
    if (blobs.find(digest).isEmpty() || blobs.readChunk(digest, 0, chunk) != chunkSize) {
      throw new IllegalStateException("the blob did not read back whole");
    }
  }

  @TearDown(Level.Trial)
  public void closeStore() {
    store.close();
    TempDirs.delete(directory);
  }

  /** Each thread streams with its own buffer, as each client connection does. */
  @State(Scope.Thread)
  public static class Reader {
    byte[] buffer;
    int next;

    @Setup(Level.Trial)
    public void allocate(ChunkReadBenchmark benchmark) {
      buffer = new byte[benchmark.chunkSize];
    }
  }

  @Benchmark
  public int readChunk(Reader reader, ByteCount count) {
    int index = reader.next;
    reader.next = index + 1 == chunks ? 0 : index + 1;
    int length = blobs.readChunk(digest, index, reader.buffer);
    count.bytes += length;
    return length;
  }
}
