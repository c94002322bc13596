package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code stevedore verify} and {@code stevedore gc} as an operator runs them: through the running
 * server when it holds the store, on the data directory when it is stopped.
 */
class MaintenanceIT {
  @RegisterExtension static final Lab lab = new Lab();
  private static StevedoreProcess mirror;
  private static OciImage small;

  @BeforeAll
  static void start() {
    small = OciImages.shared().small();
    lab.push(small, "e2e/small:1.0");
    mirror = lab.mirror();
    lab.skopeo().pullToOci(mirror.hostPort() + "/e2e/small:1.0", lab.path("pulled"));
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
    return mirror.command(List.of(), name).requireSuccess();
  }
}
