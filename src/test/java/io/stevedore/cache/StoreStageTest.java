package io.stevedore.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.store.BlobWriter;
import io.stevedore.store.StoreException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class StoreStageTest {
  private static final int CHUNK = 4;

  /** Records what it is given; fails from chunk {@code failAt} on. */
  private static final class RecordingWriter implements BlobWriter {
    final List<String> written = new CopyOnWriteArrayList<>();
    final long failAt;

    RecordingWriter(long failAt) {
      this.failAt = failAt;
    }

    @Override
    public void write(long index, byte[] data, int length) {
      if (index >= failAt) {
        throw new StoreException("disk full at chunk " + index, null);
      }
      written.add(index + ":" + new String(Arrays.copyOf(data, length)));
    }

    @Override
    public void commit(long size, Instant at) {}

    @Override
    public void abort() {}
  }

  @Test
  void chunksAreHashedAndStoredInOrder_andAnnouncedAfterTheyAreStored() {
    RecordingWriter writer = new RecordingWriter(Long.MAX_VALUE);
    List<Long> announced = new ArrayList<>();
    List<Integer> storedWhenAnnounced = new ArrayList<>();
    MessageDigest hasher = sha256();
    StringBuilder all = new StringBuilder();
    try (StoreStage stage =
        new StoreStage(
            writer,
            hasher,
            new ChunkBuffers(CHUNK, 8),
            end -> {
              announced.add(end);
              storedWhenAnnounced.add(writer.written.size());
            })) {
      for (int i = 0; i < 10; i++) {
        byte[] buffer = stage.buffer();
        byte[] text = ("c" + i + "..").substring(0, CHUNK).getBytes();
        all.append(new String(text));
        System.arraycopy(text, 0, buffer, 0, CHUNK);
        stage.write(i, buffer, CHUNK, (i + 1L) * CHUNK, i < 9);
      }
      stage.drain();
    }
    assertThat(writer.written).hasSize(10).startsWith("0:c0..", "1:c1..").endsWith("9:c9..");
    assertThat(announced).hasSize(9).startsWith(4L, 8L).endsWith(36L);
    assertThat(storedWhenAnnounced).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(Digest.of(Digest.Algorithm.SHA256, hasher.digest()))
        .isEqualTo(Digest.sha256(all.toString().getBytes()));
  }

  private static MessageDigest sha256() {
    return Digest.Algorithm.SHA256.newHasher();
  }

  @Test
  void aFailedWrite_reachesTheFill_whichNeverBlocksOnTheStoppedStage() {
    RecordingWriter writer = new RecordingWriter(2);
    StoreStage stage = new StoreStage(writer, sha256(), new ChunkBuffers(CHUNK, 8), end -> {});
    StoreException failure = null;
    int handedOver = 0;
    try (stage) {
      for (int i = 0; i < 100; i++) {
        byte[] buffer = stage.buffer();
        stage.write(i, buffer, CHUNK, (i + 1L) * CHUNK, true);
        handedOver++;
      }
      stage.drain();
    } catch (StoreException e) {
      failure = e;
    }
    assertThat(failure).as("the write's failure, at a later buffer() or drain()").isNotNull();
    assertThat(failure).hasMessageContaining("disk full at chunk 2");
    assertThat(handedOver).as("found out within a few chunks").isLessThan(2 + 4);
    assertThat(writer.written).hasSize(2);
  }

  @Test
  void releasedBuffers_goBackIntoRotation() {
    RecordingWriter writer = new RecordingWriter(Long.MAX_VALUE);
    try (StoreStage stage =
        new StoreStage(writer, sha256(), new ChunkBuffers(CHUNK, 8), end -> {})) {
      for (int i = 0; i < 10; i++) {
        stage.release(stage.buffer()); // a part chunk dropped at a broken connection
      }
      stage.drain(); // would wait forever if a released buffer were lost
    }
    assertThat(writer.written).isEmpty();
  }

  @Test
  void drainAfterAFailure_throwsIt() {
    RecordingWriter writer = new RecordingWriter(0);
    try (StoreStage stage =
        new StoreStage(writer, sha256(), new ChunkBuffers(CHUNK, 8), end -> {})) {
      stage.write(0, stage.buffer(), CHUNK, CHUNK, true);
      assertThatThrownBy(stage::drain).hasMessageContaining("disk full at chunk 0");
    }
  }
}
