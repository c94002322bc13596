package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.e2e.Skopeo.CopyOption;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fill here, carry there, serve there: mirror A prefetches from a real registry and exports an
 * archive; mirror B, whose upstream is a closed port, imports it and serves skopeo and containerd
 * with no upstream at all. The export and import commands run with a 32 MiB heap, a third of the
 * archive's size.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AirgapIT {
  private static final String SMALL_HEAP = "-Xmx32m";

  @RegisterExtension static final Lab lab = new Lab();
  private static StevedoreProcess a;
  private static StevedoreProcess b;
  private static Skopeo skopeo;
  private static OciImage multi;
  private static OciImage big;
  private static Path bundle;

  @BeforeAll
  static void fillA() {
    skopeo = lab.skopeo();
    multi = OciImages.shared().multiArch();
    big = OciImages.shared().big();
    lab.push(multi, "e2e/multi:2.0", CopyOption.ALL);
    lab.push(big, "e2e/big:3.0");
    a = lab.mirror("a", config -> config.upstream(lab.upstream()));
    b =
        lab.mirror(
            "b",
            config ->
                config.upstream(
                    MirrorUpstream.of("lab", FreePorts.closedUrl())
                        .aliases("airgap.example")
                        .asDefault()));
    b.stop();
    bundle = lab.path("bundle.tar");
  }

  @Test
  @Order(10)
  void prefetchThroughTheRunningServer_thenExportWithASmallHeap() throws IOException {
    ExecResult prefetch =
        a.command(List.of(), "prefetch", "e2e/multi:2.0", "e2e/big:3.0").requireSuccess();
    assertThat(prefetch.stdout())
        .contains("asking the server")
        .contains("prefetched 2 of 2 images");
    a.stop();

    ExecResult export =
        a.command(
                List.of(SMALL_HEAP),
                "export",
                "--out",
                bundle.toString(),
                "e2e/multi:2.0",
                "e2e/big:3.0")
            .requireSuccess();

    assertThat(export.stdout()).contains("exported e2e/multi:2.0").contains("exported e2e/big:3.0");
    assertThat(Files.size(bundle)).isGreaterThan(3L * 32 * 1024 * 1024);
  }

  @Test
  @Order(20)
  void skopeoReadsTheArchive() {
    String archive = "oci-archive:" + bundle + ":e2e/multi:2.0";
    ExecResult copied =
        skopeo.tryRun(List.of("copy", "--all", archive, "oci:" + lab.path("from-archive") + ":x"));
    ExecResult raw = skopeo.tryRun(List.of("inspect", "--raw", archive));

    assertThat(copied.exitCode()).as(copied.describe("copy from the archive")).isZero();
    assertThat(Skopeo.sha256(raw.stdoutBytes())).isEqualTo(multi.digest());
  }

  @Test
  @Order(30)
  void aDamagedArchive_isRejectedNamingTheBlob_andBServesNothingOfIt() throws IOException {
    Path damaged = lab.path("damaged.tar");
    Files.copy(bundle, damaged);
    String layer = big.manifests().get(0).layers().get(0).blob().digest();
    long offset =
        offsetOf(damaged, "blobs/sha256/" + layer.substring("sha256:".length())) + 512 + 1000;
    try (RandomAccessFile file = new RandomAccessFile(damaged.toFile(), "rw")) {
      file.seek(offset);
      int value = file.read();
      file.seek(offset);
      file.write(value ^ 1);
    }

    ExecResult result = b.command(List.of(SMALL_HEAP), "import", damaged.toString());

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stdout() + result.stderr()).contains(layer);
    b.start();
    try {
      ExecResult pull =
          skopeo.tryRun(
              List.of(
                  "copy",
                  "--src-tls-verify=false",
                  "docker://" + b.hostPort() + "/e2e/big:3.0",
                  "oci:" + lab.path("nothing") + ":x"));
      assertThat(pull.exitCode()).as("B must serve nothing of a rejected archive").isNotZero();
    } finally {
      b.stop();
    }
  }

  @Test
  @Order(40)
  void bImportsWithASmallHeap_andServesSkopeoAndContainerdWithoutAnUpstream() throws IOException {
    ExecResult imported =
        b.command(List.of(SMALL_HEAP), "import", bundle.toString()).requireSuccess();
    assertThat(imported.stdout()).contains("imported 2 images");
    b.start();

    String multiDigest =
        skopeo.pullToOci(
            "docker://" + b.hostPort() + "/e2e/multi:2.0", lab.path("b-multi"), CopyOption.ALL);
    String bigDigest =
        skopeo.pullToOci("docker://" + b.hostPort() + "/e2e/big:3.0", lab.path("b-big"));
    assertThat(multiDigest).isEqualTo(multi.digest());
    assertThat(bigDigest).isEqualTo(big.digest());

    // Importing into a running mirror goes through it (the store is locked by the server).
    ExecResult again = b.command(List.of(SMALL_HEAP), "import", bundle.toString()).requireSuccess();
    assertThat(again.stdout()).contains("asking the server").contains("imported 2 images");

    if (Containerd.canRun()) {
      Path hosts = lab.hostsDir("airgap.example", b.url());
      assertThat(lab.containerd().pull(hosts, "airgap.example/e2e/multi:2.0").digest())
          .isEqualTo(multi.digest());
      assertThat(lab.containerd().pull(hosts, "airgap.example/e2e/big:3.0").digest())
          .isEqualTo(big.digest());
    }
  }

  /** Where the tar header of {@code name} starts. */
  private static long offsetOf(Path tar, String name) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(tar.toFile(), "r")) {
      byte[] header = new byte[512];
      long position = 0;
      while (position + 512 <= file.length()) {
        file.seek(position);
        file.readFully(header);
        String entry =
            new String(header, 0, 100, java.nio.charset.StandardCharsets.US_ASCII).trim();
        entry = entry.indexOf('\0') >= 0 ? entry.substring(0, entry.indexOf('\0')) : entry;
        long size =
            Long.parseLong(
                new String(header, 124, 11, java.nio.charset.StandardCharsets.US_ASCII).trim(), 8);
        if (entry.equals(name)) {
          return position;
        }
        position += 512 + (size + 511) / 512 * 512;
      }
    }
    throw new AssertionError(name + " is not in " + tar);
  }
}
