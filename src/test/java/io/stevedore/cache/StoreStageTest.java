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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class StoreStageTest {
  private static final int CHUNK = 4;

  /** Records what it is given; fails from chunk {@code failAt} on. */
  private static class RecordingWriter implements BlobWriter {
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
            new ChunkBuffers(CHUNK, 32, 8, 8),
            new ChunkWindow(2),
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

  /** SHA-256 whose first update waits until {@code mayGo} says so, yielding meanwhile. */
  private static final class HeldBackDigest extends MessageDigest {
    private final MessageDigest inner = sha256();
    private final BooleanSupplier mayGo;
    private boolean first = true;

    HeldBackDigest(BooleanSupplier mayGo) {
      super("held-back SHA-256");
      this.mayGo = mayGo;
    }

    @Override
    protected void engineUpdate(byte input) {
      inner.update(input);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int length) {
      while (first && !mayGo.getAsBoolean()) {
        Thread.yield(); // a virtual thread: lets the stage's writing thread run meanwhile
      }
      first = false;
      inner.update(input, offset, length);
    }

    @Override
    protected byte[] engineDigest() {
      return inner.digest();
    }

    @Override
    protected void engineReset() {
      inner.reset();
    }
  }

  /**
   * Hashing holds back the first chunk while the writer stores the first two. Then the fill asks
   * for a buffer. A stage that gave back a buffer once it was written would hand over the first
   * one, which the fill refills before it is hashed; this one makes the fill wait (it parks), and
   * only then is the hash let go.
   */
  @Test
  void aBufferComesBackOnlyOnceItIsHashed_evenWhenStoringIsAhead() {
    CountDownLatch twoStored = new CountDownLatch(2);
    RecordingWriter writer =
        new RecordingWriter(Long.MAX_VALUE) {
          @Override
          public void write(long index, byte[] data, int length) {
            super.write(index, data, length);
            twoStored.countDown();
          }
        };
    Thread fill = Thread.currentThread();
    AtomicBoolean asking = new AtomicBoolean();
    AtomicBoolean refilled = new AtomicBoolean();
    MessageDigest hasher =
        new HeldBackDigest(
            () -> refilled.get() || (asking.get() && fill.getState() == Thread.State.WAITING));
    StringBuilder all = new StringBuilder();
    // No window: its chunks would come on top of the three buffers the test counts on.
    try (StoreStage stage =
        new StoreStage(
            writer, hasher, new ChunkBuffers(CHUNK, 32, 8, 8), new ChunkWindow(0), end -> {})) {
      for (int i = 0; i < 6; i++) {
        if (i == 3) {
          await(twoStored);
          asking.set(true);
        }
        byte[] buffer = stage.buffer();
        byte[] text = String.format("c%03d", i).getBytes();
        all.append(new String(text));
        System.arraycopy(text, 0, buffer, 0, CHUNK);
        refilled.set(i >= 3);
        stage.write(i, buffer, CHUNK, (i + 1L) * CHUNK, true);
      }
      stage.drain();
    }
    assertThat(writer.written).hasSize(6).startsWith("0:c000").endsWith("5:c005");
    assertThat(Digest.of(Digest.Algorithm.SHA256, hasher.digest()))
        .as("every chunk hashed as it was handed over, none refilled first")
        .isEqualTo(Digest.sha256(all.toString().getBytes()));
  }

  /**
   * A reader that keeps up finds each chunk in the window when it is announced. A reader that lags
   * finds every chunk it has not read yet, unchanged: a buffer in the window is not refilled,
   * though the fill reads ahead into every other one.
   */
  @Test
  void announcedChunks_areInTheWindow_andStayUnchangedForAReaderBehind() {
    RecordingWriter writer = new RecordingWriter(Long.MAX_VALUE);
    ChunkWindow window = new ChunkWindow(8);
    ChunkWindow.Reader keepingUp = window.follow(0);
    ChunkWindow.Reader behind = window.follow(0);
    List<String> seen = new CopyOnWriteArrayList<>();
    List<String> seenBehind = new CopyOnWriteArrayList<>();
    try (StoreStage stage =
        new StoreStage(
            writer,
            sha256(),
            new ChunkBuffers(CHUNK, 32, 8, 8),
            window,
            end -> {
              long index = end / CHUNK - 1;
              seen.add(copy(keepingUp, index));
              if (index % 6 == 5) { // five chunks behind, then caught up
                for (long i = index - 5; i <= index; i++) {
                  seenBehind.add(copy(behind, i));
                }
              }
            })) {
      for (int i = 0; i < 42; i++) {
        byte[] buffer = stage.buffer();
        System.arraycopy(String.format("c%03d", i).getBytes(), 0, buffer, 0, CHUNK);
        stage.write(i, buffer, CHUNK, (i + 1L) * CHUNK, true);
      }
      stage.drain();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 42; i++) {
      expected.add(String.format("c%03d", i));
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(seenBehind).isEqualTo(expected);
  }

  /**
   * With every buffer of the budget out, the window cannot grow: it lets its oldest chunk go, even
   * one a reader still needs (that reader reads the store), and the fill goes on.
   */
  @Test
  void withNoBufferToSpare_theWindowLetsItsOldestChunkGo_andTheFillGoesOn() throws Exception {
    RecordingWriter writer = new RecordingWriter(Long.MAX_VALUE);
    ChunkBuffers buffers = new ChunkBuffers(CHUNK, 4, 3, 8);
    byte[] response = buffers.take(); // the one buffer responses may have
    ChunkWindow window = new ChunkWindow(8);
    ChunkWindow.Reader stuck = window.follow(0);
    List<String> firstChunkSeen = new ArrayList<>();
    try (StoreStage stage = new StoreStage(writer, sha256(), buffers, window, end -> {})) {
      for (int i = 0; i < 20; i++) {
        byte[] buffer = stage.buffer();
        System.arraycopy(String.format("c%03d", i).getBytes(), 0, buffer, 0, CHUNK);
        stage.write(i, buffer, CHUNK, (i + 1L) * CHUNK, true);
      }
      stage.drain();
      assertThat(buffers.out()).isEqualTo(4);
      firstChunkSeen.add(copy(stuck, 0));
    }
    assertThat(writer.written).hasSize(20).endsWith("19:c019");
    assertThat(firstChunkSeen).as("let go, so read from the store").containsExactly("-");
    assertThat(buffers.out()).as("the stage gave its buffers back").isEqualTo(1);
    buffers.give(response);
  }

  private static String copy(ChunkWindow.Reader reader, long index) {
    byte[] buffer = new byte[CHUNK];
    int length = reader.copy(index, buffer);
    return length < 0 ? "-" : new String(buffer, 0, length);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest sha256() {
    return Digest.Algorithm.SHA256.newHasher();
  }

  @Test
  void aFailedWrite_reachesTheFill_whichNeverBlocksOnTheStoppedStage() {
    RecordingWriter writer = new RecordingWriter(2);
    StoreStage stage =
        new StoreStage(
            writer, sha256(), new ChunkBuffers(CHUNK, 32, 8, 8), new ChunkWindow(2), end -> {});
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
  void anErrorInAStageThread_failsTheFill_insteadOfLeavingItWaiting() {
    RecordingWriter writer =
        new RecordingWriter(Long.MAX_VALUE) {
          @Override
          public void write(long index, byte[] data, int length) {
            throw new OutOfMemoryError("Java heap space (a test)");
          }
        };
    try (StoreStage stage =
        new StoreStage(
            writer, sha256(), new ChunkBuffers(CHUNK, 32, 8, 8), new ChunkWindow(2), end -> {})) {
      stage.write(0, stage.buffer(), CHUNK, CHUNK, true);
      assertThatThrownBy(stage::drain).hasMessageContaining("Java heap space (a test)");
    }
  }

  @Test
  void releasedBuffers_goBackIntoRotation() {
    RecordingWriter writer = new RecordingWriter(Long.MAX_VALUE);
    try (StoreStage stage =
        new StoreStage(
            writer, sha256(), new ChunkBuffers(CHUNK, 32, 8, 8), new ChunkWindow(2), end -> {})) {
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
        new StoreStage(
            writer, sha256(), new ChunkBuffers(CHUNK, 32, 8, 8), new ChunkWindow(2), end -> {})) {
      stage.write(0, stage.buffer(), CHUNK, CHUNK, true);
      assertThatThrownBy(stage::drain).hasMessageContaining("disk full at chunk 0");
    }
  }
}
