package io.stevedore.perf;

import io.stevedore.oci.Digest;
import java.security.MessageDigest;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hashing during a fill: every byte a cold pull stores is hashed once ({@code FillTask} hashes each
 * chunk right after writing it, and commits only when the digest matches), so SHA-256 speed bounds
 * a cold pull on a fast network.
 *
 * <p>{@link #update} is plain {@code MessageDigest.update} over one buffer. {@link #fillHashing} is
 * what {@code FillTask} does for a whole blob: {@code Digest.Algorithm.newHasher()} (a new JCA
 * instance per blob), one {@code update} per stored chunk, then {@code Digest.of(digest())} and a
 * comparison with the expected digest; here for a blob of {@value #BLOB_CHUNKS} chunks of {@code
 * bufferSize}. The difference between the two is the per-blob overhead.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class Sha256Benchmark {
  static final int BLOB_CHUNKS = 16;

  /** 16 KiB: a typical socket read; 64 KiB: a large one; 1 MiB: a store chunk. */
  @Param({"16384", "65536", "1048576"})
  public int bufferSize;

  private MessageDigest sha256;
  private byte[][] blob;
  private Digest expected;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    sha256 = MessageDigest.getInstance("SHA-256");
    SplittableRandom random = new SplittableRandom(42);
    blob = new byte[BLOB_CHUNKS][bufferSize];
    MessageDigest whole = MessageDigest.getInstance("SHA-256");
    for (byte[] chunk : blob) {
      random.nextBytes(chunk);
      whole.update(chunk);
    }
    expected = Digest.of(Digest.Algorithm.SHA256, whole.digest());
  }

  @Benchmark
  public void update(ByteCount count) {
    // The digest is never finished: the running state is all update touches, and it stays live
    // in the field, so nothing here can be optimized away.
    sha256.update(blob[0], 0, bufferSize);
    count.bytes += bufferSize;
  }

  @Benchmark
  public boolean fillHashing(ByteCount count) {
    MessageDigest hasher = expected.algorithm().newHasher();
    for (byte[] chunk : blob) {
      hasher.update(chunk, 0, chunk.length);
    }
    Digest actual = Digest.of(expected.algorithm(), hasher.digest());
    count.bytes += (long) BLOB_CHUNKS * bufferSize;
    if (!actual.equals(expected)) {
      throw new IllegalStateException("digest mismatch: " + actual);
    }
    return true;
  }
}
