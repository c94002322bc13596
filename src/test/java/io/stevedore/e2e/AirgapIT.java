package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stevedore.e2e.Skopeo.CopyOption;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fill here, carry there, serve there: mirror A prefetches from a real registry and exports an
 * archive; mirror B, whose upstream is a closed port, imports it and serves skopeo and containerd
 * with no upstream at all. The export and import commands run with a 32 MiB heap, a third of the
 * archive's size.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AirgapIT {
  private static final String SMALL_HEAP = "-Xmx32m";

  @TempDir static Path tmp;
  private static RegistryProcess registry;
  private static StevedoreProcess a;
  private static StevedoreProcess b;
  private static Skopeo skopeo;
  private static OciImage multi;
  private static OciImage big;
  private static Path bundle;

  @BeforeAll
  static void fillA() throws IOException {
    registry = RegistryProcess.start(Files.createDirectories(tmp.resolve("registry")));
    skopeo = new Skopeo(tmp.resolve("skopeo"));
    multi = OciImages.shared().multiArch();
    big = OciImages.shared().big();
    skopeo.push(multi, "docker://" + registry.hostPort() + "/e2e/multi:2.0", CopyOption.ALL);
    skopeo.push(big, "docker://" + registry.hostPort() + "/e2e/big:3.0");
    a =
        StevedoreProcess.builder(tmp.resolve("a"))
            .upstream(MirrorUpstream.of("lab", registry.url()).asDefault())
            .start();
    b =
        StevedoreProcess.builder(tmp.resolve("b"))
            .upstream(
                MirrorUpstream.of("lab", URI.create("http://127.0.0.1:" + FreePorts.freePort()))
                    .aliases("airgap.example")
                    .asDefault())
            .start();
    b.stop();
    bundle = tmp.resolve("bundle.tar");
  }

  @AfterAll
  static void stopAll() {
    for (AutoCloseable closeable : new AutoCloseable[] {a, b, registry}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception ignored) {
        // best effort: the next test class starts its own processes
      }
    }
  }

  @Test
  @Order(10)
  void prefetchThroughTheRunningServer_thenExportWithASmallHeap() throws IOException {
    ExecResult prefetch = cli(a, List.of(), "prefetch", "e2e/multi:2.0", "e2e/big:3.0");
    assertThat(prefetch.stdout())
        .contains("asking the server")
        .contains("prefetched 2 of 2 images");
    a.stop();

    ExecResult export =
        cli(
            a,
            List.of(SMALL_HEAP),
            "export",
            "--out",
            bundle.toString(),
            "e2e/multi:2.0",
            "e2e/big:3.0");

    assertThat(export.stdout()).contains("exported e2e/multi:2.0").contains("exported e2e/big:3.0");
    assertThat(Files.size(bundle)).isGreaterThan(3L * 32 * 1024 * 1024);
  }

  @Test
  @Order(20)
  void skopeoReadsTheArchive() {
    String archive = "oci-archive:" + bundle + ":e2e/multi:2.0";
    ExecResult copied =
        skopeo.tryRun(
            List.of("copy", "--all", archive, "oci:" + tmp.resolve("from-archive") + ":x"));
    ExecResult raw = skopeo.tryRun(List.of("inspect", "--raw", archive));

    assertThat(copied.exitCode()).as(copied.describe("copy from the archive")).isZero();
    assertThat(Skopeo.sha256(raw.stdoutBytes())).isEqualTo(multi.digest());
  }

  @Test
  @Order(30)
  void aDamagedArchive_isRejectedNamingTheBlob_andBServesNothingOfIt() throws IOException {
    Path damaged = tmp.resolve("damaged.tar");
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

    ExecResult result = cliAllowingFailure(b, List.of(SMALL_HEAP), "import", damaged.toString());

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
                  "oci:" + tmp.resolve("nothing") + ":x"));
      assertThat(pull.exitCode()).as("B must serve nothing of a rejected archive").isNotZero();
    } finally {
      b.stop();
    }
  }

  @Test
  @Order(40)
  void bImportsWithASmallHeap_andServesSkopeoAndContainerdWithoutAnUpstream() throws IOException {
    ExecResult imported = cli(b, List.of(SMALL_HEAP), "import", bundle.toString());
    assertThat(imported.stdout()).contains("imported 2 images");
    b.start();

    String multiDigest =
        skopeo.pullToOci(
            "docker://" + b.hostPort() + "/e2e/multi:2.0", tmp.resolve("b-multi"), CopyOption.ALL);
    String bigDigest =
        skopeo.pullToOci("docker://" + b.hostPort() + "/e2e/big:3.0", tmp.resolve("b-big"));
    assertThat(multiDigest).isEqualTo(multi.digest());
    assertThat(bigDigest).isEqualTo(big.digest());

    // Importing into a running mirror goes through it (the store is locked by the server).
    ExecResult again = cli(b, List.of(SMALL_HEAP), "import", bundle.toString());
    assertThat(again.stdout()).contains("asking the server").contains("imported 2 images");

    if (Containerd.canRun()) {
      try (Containerd containerd =
          Containerd.start(Files.createDirectories(tmp.resolve("containerd")))) {
        Path hosts = Files.createDirectories(tmp.resolve("hosts"));
        Containerd.writeHostsToml(
            hosts,
            "airgap.example",
            URI.create("http://127.0.0.1:" + FreePorts.freePort()),
            URI.create("http://" + b.hostPort()));
        assertThat(containerd.pull(hosts, "airgap.example/e2e/multi:2.0").digest())
            .isEqualTo(multi.digest());
        assertThat(containerd.pull(hosts, "airgap.example/e2e/big:3.0").digest())
            .isEqualTo(big.digest());
      }
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

  private static ExecResult cli(StevedoreProcess mirror, List<String> jvm, String... args) {
    ExecResult result = cliAllowingFailure(mirror, jvm, args);
    assertThat(result.exitCode()).as(result.describe(String.join(" ", args))).isZero();
    return result;
  }

  private static ExecResult cliAllowingFailure(
      StevedoreProcess mirror, List<String> jvm, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(jvm);
    command.add("-jar");
    command.add(StevedoreProcess.jar().toString());
    command.add(args[0]);
    command.add("--config");
    command.add(mirror.configFile().toString());
    command.addAll(List.of(args).subList(1, args.length));
    return Exec.run(command, Duration.ofMinutes(3));
  }
}
