package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.oci.Digest;
import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import io.stevedore.oci.RepositoryName;
import io.stevedore.testing.FakeUpstream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerUpstreamTest {
  private static final RepositoryName REPO = RepositoryName.parse("team/app");

  private final FakeUpstream upstream = new FakeUpstream("lab");
  // Probes only when a test says so: the background interval is far beyond any test.
  private final CircuitBreakerUpstream breaker =
      new CircuitBreakerUpstream(upstream, Duration.ofHours(1));
  private final Digest digest = upstream.addBlob("layer".getBytes(StandardCharsets.UTF_8));

  @Test
  void threeUnreachableCalls_openTheCircuit_andLaterCallsFailWithoutReachingTheUpstream() {
    upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 503, "refused"));
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> breaker.headBlob(REPO, digest)).hasMessageContaining("refused");
    }
    long before = upstream.calls().size();

    assertThatThrownBy(() -> breaker.headBlob(REPO, digest))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.getMessage()).contains("unreachable");
            });
    assertThat(breaker.circuitOpen()).isTrue();
    assertThat(upstream.calls()).hasSize((int) before);
  }

  @Test
  void aSuccessfulProbe_closesTheCircuit() {
    upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 504, "timed out"));
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> breaker.headBlob(REPO, digest));
    }
    assertThat(breaker.probe()).isFalse();
    assertThat(breaker.circuitOpen()).isTrue();

    upstream.failWith(null);

    assertThat(breaker.probe()).isTrue();
    assertThat(breaker.circuitOpen()).isFalse();
    assertThat(breaker.headBlob(REPO, digest)).contains(5L);
  }

  @Test
  void answersThatAreErrors_showTheUpstreamIsReachable() {
    for (int i = 0; i < 5; i++) {
      upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 502, "answered 500"));
      assertThatThrownBy(() -> breaker.headBlob(REPO, digest));
      upstream.failWith(new RegistryException(ErrorCode.DENIED, "no"));
      assertThatThrownBy(() -> breaker.headBlob(REPO, digest));
    }

    assertThat(breaker.circuitOpen()).isFalse();
  }

  @Test
  void successesInBetween_keepItClosed() {
    for (int i = 0; i < 5; i++) {
      upstream.failWith(new RegistryException(ErrorCode.UNAVAILABLE, 503, "refused"));
      assertThatThrownBy(() -> breaker.headBlob(REPO, digest));
      assertThatThrownBy(() -> breaker.headBlob(REPO, digest));
      upstream.failWith(null);
      assertThat(breaker.headBlob(REPO, digest)).isPresent();
    }

    assertThat(breaker.circuitOpen()).isFalse();
  }
}
