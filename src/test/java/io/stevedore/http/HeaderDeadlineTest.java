package io.stevedore.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HeaderDeadlineTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T08:00:00Z"));
  private final HeaderDeadline deadline = new HeaderDeadline(Duration.ofSeconds(10), clock);

  /** A connection's thread: read its request line, then waits for the rest of its headers. */
  private record Connection(Thread thread, CompletableFuture<String> outcome) {}

  private Connection readingHeaders(CountDownLatch headersArrive, boolean finishes) {
    CountDownLatch lineRead = new CountDownLatch(1);
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Thread thread =
        Thread.ofVirtual()
            .start(
                () -> {
                  deadline.prologue(null, null);
                  lineRead.countDown();
                  try {
                    headersArrive.await();
                    if (finishes) {
                      deadline.headers(null, null);
                    }
                    outcome.complete("served");
                  } catch (InterruptedException e) {
                    outcome.complete("cut off");
                  } catch (IllegalStateException e) {
                    outcome.complete("refused: " + e.getMessage());
                  }
                });
    await(lineRead);
    return new Connection(thread, outcome);
  }

  @Test
  void headersOverdue_interruptTheConnectionsThread() throws Exception {
    Connection slow = readingHeaders(new CountDownLatch(1), true);

    clock.advance(Duration.ofSeconds(9));
    assertThat(deadline.cutOverdue()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(deadline.cutOverdue()).isEqualTo(1);

    assertThat(slow.outcome().get(10, TimeUnit.SECONDS)).isEqualTo("cut off");
    assertThat(deadline.cutOverdue()).as("cut off once").isZero();
  }

  @Test
  void headersInTime_areNeverInterrupted() throws Exception {
    CountDownLatch arrive = new CountDownLatch(1);
    Connection quick = readingHeaders(arrive, true);
    arrive.countDown();
    assertThat(quick.outcome().get(10, TimeUnit.SECONDS)).isEqualTo("served");

    clock.advance(Duration.ofMinutes(5));
    assertThat(deadline.cutOverdue()).isZero();
    quick.thread().join();
  }

  @Test
  void headersThatArriveAfterTheCut_areRefused() {
    clock.advance(Duration.ofSeconds(11));
    deadline.prologue(null, null);
    clock.advance(Duration.ofSeconds(11));
    assertThat(deadline.cutOverdue()).isEqualTo(1);

    // This thread was interrupted by the cut; the headers came in just before it could act.
    assertThat(Thread.interrupted()).isTrue();
    assertThatThrownBy(() -> deadline.headers(null, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("longer than PT10S");
  }

  @Test
  void checkPeriod_isATenthOfTheTimeout_withinBounds() {
    assertThat(deadline.checkPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(new HeaderDeadline(Duration.ofSeconds(2), clock).checkPeriod())
        .isEqualTo(Duration.ofMillis(200));
    assertThat(new HeaderDeadline(Duration.ofMillis(100), clock).checkPeriod())
        .isEqualTo(Duration.ofMillis(50));
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
