package io.stevedore.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.UpstreamConfig;
import io.stevedore.testing.TestMirrors;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartTest {
  @TempDir Path dir;

  @Test
  void aTakenPort_failsTheStart_andReleasesTheStore() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      StevedoreConfig settings = settings(taken.getLocalPort());

      assertThatThrownBy(() -> Stevedore.start(settings, Clock.systemUTC()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
    // The store was closed again: a start on a free port opens it.
    try (Stevedore started = Stevedore.start(settings(0), Clock.systemUTC())) {
      assertThat(started.port()).isPositive();
    }
  }

  private StevedoreConfig settings(int port) {
    return TestMirrors.config(
        dir.resolve("data"),
        port,
        1L << 30,
        List.of(UpstreamConfig.of("lab", URI.create("http://127.0.0.1:9"))));
  }
}
