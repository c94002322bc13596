package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stevedore verify} and {@code stevedore gc} as an operator runs them: through the running
 * server when it holds the store, on the data directory when it is stopped.
 */
class MaintenanceIT {
  @TempDir static Path tmp;
  private static RegistryProcess registry;
  private static StevedoreProcess mirror;
  private static OciImage small;

  @BeforeAll
  static void start() throws IOException {
    registry = RegistryProcess.start(Files.createDirectories(tmp.resolve("registry")));
    small = OciImages.shared().small();
    Skopeo skopeo = new Skopeo(tmp.resolve("skopeo"));
    skopeo.push(small, "docker://" + registry.hostPort() + "/e2e/small:1.0");
    mirror =
        StevedoreProcess.builder(tmp.resolve("stevedore"))
            .upstream(MirrorUpstream.of("lab", registry.url()).asDefault())
            .start();
    skopeo.pullToOci("docker://" + mirror.hostPort() + "/e2e/small:1.0", tmp.resolve("pulled"));
  }

  @AfterAll
  static void stop() {
    if (mirror != null) {
      mirror.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void verifyAndGc_workThroughTheRunningServer_andOnTheStoppedDataDirectory() {
    int blobs = small.blobDigests().size();

    ExecResult online = command("verify");
    ExecResult onlineGc = command("gc");
    mirror.stop();
    ExecResult offline = command("verify");
    ExecResult offlineGc = command("gc");

    assertThat(online.stdout())
        .contains("asking the server")
        .contains("verified " + blobs + " blobs");
    assertThat(online.stdout()).contains("removed 0 blobs and 0 manifests");
    assertThat(onlineGc.stdout()).contains("within the quota").contains("gc done");
    assertThat(offline.stdout())
        .doesNotContain("asking the server")
        .contains("verify on")
        .contains("verified " + blobs + " blobs");
    assertThat(offlineGc.stdout()).contains("gc on").contains("gc done");
  }

  private static ExecResult command(String name) {
    ExecResult result =
        Exec.run(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                StevedoreProcess.jar().toString(),
                name,
                "--config",
                mirror.configFile().toString()),
            Duration.ofMinutes(2));
    assertThat(result.exitCode()).as(result.describe(name)).isZero();
    return result;
  }
}
