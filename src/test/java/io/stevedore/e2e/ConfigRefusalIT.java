package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real jar refuses a config with a key it does not know, before it listens: a `mesh:` section
 * of a newer version must not start a mirror that silently ignores it.
 */
class ConfigRefusalIT {
  @RegisterExtension static final Lab lab = new Lab();

  @Test
  void anUnknownSection_stopsTheStartBeforeThePortIsBound() throws IOException {
    int port = FreePorts.freePort();
    int adminPort = FreePorts.freePort();
    Path config =
        Files.writeString(
            lab.path("stevedore.yaml"),
            """
            server:
              host: 127.0.0.1
              port: %d
            admin:
              port: %d
            storage:
              path: %s
            mesh:
              peers: [a, b]
            upstreams:
              - name: lab
                url: http://127.0.0.1:9
            """
                .formatted(port, adminPort, lab.path("data")));

    ExecResult serve = StevedoreProcess.cli("serve", "--config", config.toString());

    assertThat(serve.exitCode()).as("serve: %s", serve.stderr()).isEqualTo(2);
    assertThat(serve.stderr()).contains("mesh: unknown key").doesNotContain("Exception");
    for (int taken : new int[] {port, adminPort}) {
      // Bindable now: nothing listens there, and nothing did long enough to linger.
      try (ServerSocket free = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress())) {
        assertThat(free.getLocalPort()).isEqualTo(taken);
      }
    }
    assertThat(lab.path("data")).as("no store was created").doesNotExist();
  }
}
