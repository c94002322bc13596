package io.stevedore.store.rocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobInfo;
import io.stevedore.store.BlobWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash of the process that holds the store: a child JVM ({@link CrashingWriter}) commits a
 * blob, writes some chunks of another one and is killed with {@code kill -9}. Reopening the same
 * directory must keep the committed blob and leave nothing of the unfinished one: no record, no
 * chunk key. The same directory goes through every round, so leftovers of earlier crashes must be
 * gone too.
 */
class RocksStoreCrashTest {
  // At the chunks family's minimum blob size, so chunks go to blob files as in production.
  private static final int CHUNK = 64 * 1024;

  @TempDir Path dir;

  @Test
  void killMinus9MidFill_reopenDiscardsTheUnfinishedBlobAndKeepsTheCommittedOne() throws Exception {
    byte[] committed = content(1, CHUNK * 3 + 5);
    Digest committedDigest = Digest.sha256(committed);
    List<String> rounds = new ArrayList<>();
    // 0 chunks: a crash right after begin() wrote the FILLING record.
    for (int chunks : new int[] {0, 1, 2, 17, 160}) {
      Digest unfinished = Digest.sha256(content(2, CHUNK * (chunks + 1)));
      crashWhileWriting(chunks);

      try (RocksStore store = RocksStore.open(dir, CHUNK)) {
        RocksBlobStore blobs = (RocksBlobStore) store.blobs();
        assertThat(blobs.find(committedDigest))
            .contains(new BlobInfo(committedDigest, committed.length));
        assertThat(read(blobs, committedDigest, committed.length)).isEqualTo(committed);
        assertThat(blobs.find(unfinished)).isEmpty();
        assertThat(blobs.hasRecord(unfinished)).as("record after %d chunks", chunks).isFalse();
        assertThat(blobs.hasFile(unfinished)).as("file after %d chunks", chunks).isFalse();
        for (long index : new long[] {0, Math.max(0, chunks - 1)}) {
          assertThatThrownBy(() -> blobs.readChunk(unfinished, index, new byte[CHUNK]))
              .isInstanceOf(IllegalStateException.class);
        }
        rounds.add(chunks + " chunks: reclaimed");
      }
    }
    assertThat(rounds).hasSize(5);
  }

  /** Runs {@link CrashingWriter} on {@link #dir} and kills it with SIGKILL once it is ready. */
  private void crashWhileWriting(int chunks) throws IOException, InterruptedException {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classPath,
                CrashingWriter.class.getName(),
                dir.toString(),
                String.valueOf(CHUNK),
                String.valueOf(chunks))
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null && !line.equals("READY")) {
        seen.append(line).append('\n');
      }
      assertThat(line).as("the writer's output:\n%s", seen).isEqualTo("READY");
      child.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(128 + 9);
    } finally {
      child.destroyForcibly();
    }
  }

  private static byte[] read(RocksBlobStore blobs, Digest digest, int size) {
    byte[] out = new byte[size];
    byte[] buffer = new byte[CHUNK];
    for (int i = 0; (long) i * CHUNK < size; i++) {
      int length = blobs.readChunk(digest, i, buffer);
      System.arraycopy(buffer, 0, out, i * CHUNK, length);
    }
    return out;
  }

  static byte[] content(long seed, int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /** Writes the first {@code limit} chunks of {@code bytes}. */
  static void writeChunks(BlobWriter writer, byte[] bytes, int chunkSize, int limit) {
    for (int i = 0; i < limit && (long) i * chunkSize < bytes.length; i++) {
      byte[] chunk =
          Arrays.copyOfRange(bytes, i * chunkSize, Math.min(bytes.length, (i + 1) * chunkSize));
      writer.write(i, chunk, chunk.length);
    }
  }
}
