package io.stevedore.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkBuffersTest {
  @Test
  void givenBuffers_areTakenAgain_upToTheRetainedCount() {
    ChunkBuffers buffers = new ChunkBuffers(16, 2);
    byte[] a = buffers.take();
    byte[] b = buffers.take();
    byte[] c = buffers.take();
    assertThat(a).hasSize(16);

    buffers.give(a);
    buffers.give(b);
    buffers.give(c); // beyond the two retained: left to the garbage collector

    assertThat(buffers.take()).isSameAs(a);
    assertThat(buffers.take()).isSameAs(b);
    assertThat(buffers.take()).isNotSameAs(c).hasSize(16);
  }

  @Test
  void aBufferOfAnotherSize_isNotKept() {
    ChunkBuffers buffers = new ChunkBuffers(16, 2);
    byte[] small = new byte[5];

    buffers.give(small);

    assertThat(buffers.take()).isNotSameAs(small).hasSize(16);
  }
}
