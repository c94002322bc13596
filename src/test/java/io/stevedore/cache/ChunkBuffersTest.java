package io.stevedore.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ChunkBuffersTest {
  @Test
  void givenBuffers_areTakenAgain_upToTheRetainedCount() throws Exception {
    ChunkBuffers buffers = new ChunkBuffers(16, 16, 4, 2);
    byte[] a = buffers.take();
    byte[] b = buffers.take();
    byte[] c = buffers.take();
    assertThat(a).hasSize(16);

    buffers.give(a);
    buffers.give(b);
    buffers.give(c); // beyond the two retained: left to the garbage collector

    assertThat(buffers.take()).isSameAs(b);
    assertThat(buffers.take()).isSameAs(a);
    assertThat(buffers.take()).isNotSameAs(c).hasSize(16);
    assertThat(buffers.out()).isEqualTo(3);
  }

  @Test
  void responses_takeNoMoreThanTheirShare_andSpareWorkGetsNothingThen() throws Exception {
    ChunkBuffers buffers = new ChunkBuffers(16, 6, 4, 8);
    buffers.take();
    assertThat(buffers.takeIfFree()).isNotNull();

    assertThat(buffers.takeIfFree()).as("the rest is the fills' reserve").isNull();
    assertThat(buffers.takeForFill(4)).hasNumberOfRows(4);
    assertThat(buffers.out()).isEqualTo(6);
  }

  @Test
  void aWaitingResponse_isHandedTheNextBufferBack_beforeAnyLaterAsker() throws Exception {
    ChunkBuffers buffers = new ChunkBuffers(16, 6, 4, 8);
    byte[] held = buffers.take();
    byte[][] fill = buffers.takeForFill(2); // out: 3, more than the responses' share of 2
    List<String> got = new CopyOnWriteArrayList<>();
    Thread first = waitingTaker(buffers, "first", got);
    awaitState(first);
    Thread second = waitingTaker(buffers, "second", got);
    awaitState(second);

    buffers.give(held);
    assertThat(second.getState()).isEqualTo(Thread.State.WAITING);
    buffers.give(fill[0]); // a fill's buffer back lets a response go on too
    assertThat(buffers.takeIfFree()).as("the buffer went to the first waiter").isNull();
    first.join();
    assertThat(got).containsExactly("first");
    assertThat(second.getState()).isEqualTo(Thread.State.WAITING);

    buffers.give(fill[1]);
    second.join();
    assertThat(got).containsExactly("first", "second");
    assertThat(buffers.use()).isEqualTo(new BufferUse(2, 6, 2));
  }

  @Test
  void aFill_waitsUntilItCanTakeAllItNeeds_atOnce() throws Exception {
    ChunkBuffers buffers = new ChunkBuffers(16, 6, 3, 8);
    byte[] response = buffers.take();
    buffers.take();
    buffers.take();
    byte[][] running = buffers.takeForFill(3); // the reserve
    List<String> got = new CopyOnWriteArrayList<>();
    Thread fill =
        Thread.ofVirtual()
            .start(
                () -> {
                  buffers.takeForFill(3);
                  got.add("fill");
                });
    awaitState(fill);

    buffers.give(running[0]);
    buffers.give(running[1]);
    awaitState(fill); // woken, it found two of the three it needs, and waits again
    assertThat(got).isEmpty();
    buffers.give(response);
    fill.join();
    assertThat(got).containsExactly("fill");
    assertThat(buffers.out()).isEqualTo(6);
  }

  @Test
  void anInterruptedWait_takesNothing_andPassesItsTurnOn() throws Exception {
    ChunkBuffers buffers = new ChunkBuffers(16, 5, 4, 8);
    byte[] held = buffers.take();
    List<Object> outcome = new CopyOnWriteArrayList<>();
    Thread interrupted =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    buffers.take();
                  } catch (InterruptedIOException e) {
                    outcome.add(e);
                  }
                });
    awaitState(interrupted);
    Thread later = waitingTaker(buffers, "later", new CopyOnWriteArrayList<>());
    awaitState(later);

    interrupted.interrupt();
    interrupted.join();
    buffers.give(held);
    later.join();

    assertThat(outcome).singleElement().isInstanceOf(InterruptedIOException.class);
    assertThat(buffers.out()).isEqualTo(1);
  }

  @Test
  void aBudgetThatLeavesResponsesNothing_isRefused() {
    assertThatThrownBy(() -> new ChunkBuffers(16, 4, 4, 8))
        .hasMessageContaining("cannot keep 4 for fills");
  }

  @Test
  void theBudgetIsAQuarterOfTheHeap() {
    ChunkBuffers buffers = ChunkBuffers.forHeap(1 << 20, 384L << 20);
    assertThat(buffers.takeForFill(96)).hasNumberOfRows(96);
    assertThat(buffers.takeIfFree()).isNull();
  }

  private static Thread waitingTaker(ChunkBuffers buffers, String name, List<String> got) {
    return Thread.ofVirtual()
        .start(
            () -> {
              try {
                buffers.take();
                got.add(name);
              } catch (InterruptedIOException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  /** Waits until the thread parks: it is queued for a buffer. */
  private static void awaitState(Thread thread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    BooleanSupplier parked = () -> thread.getState() == Thread.State.WAITING;
    while (!parked.getAsBoolean()) {
      assertThat(thread.getState()).as("still waiting").isNotEqualTo(Thread.State.TERMINATED);
      assertThat(System.nanoTime()).as("thread parked in time").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }
}
