package io.stevedore.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkWindowTest {
  private final List<Long> released = new ArrayList<>();

  private int hold(ChunkWindow window, long index) {
    String text = "chunk" + index;
    return window.hold(index, text.getBytes(), text.length(), () -> released.add(index));
  }

  private static String copy(ChunkWindow.Reader reader, long index) {
    byte[] buffer = new byte[16];
    int length = reader.copy(index, buffer);
    return length < 0 ? null : new String(buffer, 0, length);
  }

  @Test
  void withNoReader_aChunkIsLetGoAtOnce() {
    ChunkWindow window = new ChunkWindow(8);
    assertThat(hold(window, 0)).isZero();
    assertThat(released).containsExactly(0L);
  }

  @Test
  void aChunkIsHeldUntilItsReaderIsPastIt() {
    ChunkWindow window = new ChunkWindow(8);
    ChunkWindow.Reader reader = window.follow(0);
    hold(window, 0);
    assertThat(hold(window, 1)).isEqualTo(2);

    assertThat(copy(reader, 0)).isEqualTo("chunk0");
    assertThat(released).containsExactly(0L);
    assertThat(copy(reader, 1)).isEqualTo("chunk1");
    assertThat(released).containsExactly(0L, 1L);
    assertThat(hold(window, 2)).as("the reader is waiting for it").isEqualTo(1);

    reader.close();
    assertThat(released).containsExactly(0L, 1L, 2L);
  }

  @Test
  void aReaderThatStartsLater_letsTheEarlierChunksGo() {
    ChunkWindow window = new ChunkWindow(8);
    ChunkWindow.Reader ranged = window.follow(3);
    for (long i = 0; i < 5; i++) {
      hold(window, i);
    }
    assertThat(released).containsExactly(0L, 1L, 2L);
    assertThat(copy(ranged, 3)).isEqualTo("chunk3");
    ranged.close();
  }

  @Test
  void aChunkGoesOnceEveryReaderIsPastIt() {
    ChunkWindow window = new ChunkWindow(8);
    ChunkWindow.Reader fast = window.follow(0);
    ChunkWindow.Reader slow = window.follow(0);
    hold(window, 0);
    assertThat(copy(fast, 0)).isEqualTo("chunk0");
    assertThat(released).isEmpty();
    assertThat(copy(slow, 0)).isEqualTo("chunk0");
    assertThat(released).containsExactly(0L);
    fast.close();
    slow.close();
  }

  @Test
  void aReaderFarBehind_holdsNoMoreThanTheCapacity_andReadsTheRestFromTheStore() {
    ChunkWindow window = new ChunkWindow(3);
    ChunkWindow.Reader behind = window.follow(0);
    for (long i = 0; i < 5; i++) {
      assertThat(hold(window, i)).isLessThanOrEqualTo(3);
    }
    assertThat(released).containsExactly(0L, 1L);
    assertThat(copy(behind, 0)).as("let go: read it from the store").isNull();
    assertThat(copy(behind, 1)).isNull();
    assertThat(copy(behind, 2)).isEqualTo("chunk2");
    assertThat(released).containsExactly(0L, 1L, 2L);
    behind.close();
  }

  @Test
  void close_letsEveryChunkGo_andLaterOnesAtOnce() {
    ChunkWindow window = new ChunkWindow(8);
    ChunkWindow.Reader reader = window.follow(0);
    hold(window, 0);
    hold(window, 1);

    window.close();
    assertThat(released).containsExactly(0L, 1L);
    assertThat(copy(reader, 1)).isNull();

    assertThat(hold(window, 2)).isZero();
    assertThat(released).containsExactly(0L, 1L, 2L);
    reader.close();
  }
}
