package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The container image that {@code ./mvnw package} writes ({@code target/stevedore-image.tar}, Jib)
 * run by podman the way the README's "Run it as a container" says: loaded, started with a config
 * directory and a named data volume, pulled through with skopeo from the lab's upstream, removed,
 * and started again as a new container on the same volume with the upstream down, where it serves
 * the image from the volume alone.
 *
 * <p>Skipped, saying why, where podman is missing or cannot run a container at all (told apart from
 * a broken image by a probe that runs the host's {@code true} in its own root file system).
 */
class ContainerImageIT {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final Pattern MAX_HEAP = Pattern.compile("MaxHeapSize\\s*=\\s*(\\d+)");

  @RegisterExtension static final Lab lab = new Lab();
  private static Optional<String> cannotRun;
  private static Podman podman;
  private static String image;

  @BeforeAll
  static void loadImage() {
    Path tar =
        Path.of(System.getProperty("stevedore.image.tar", "target/stevedore-image.tar"))
            .toAbsolutePath();
    podman = lab.own(Podman.in(lab.path("podman")));
    cannotRun = podman.whyCannotRun(lab.path("podman-probe"));
    if (cannotRun.isEmpty()) {
      assertThat(tar)
          .as("the image tar (./mvnw package writes it; -Djib.skip leaves it out)")
          .isRegularFile();
      image = podman.load(tar);
    }
  }

  /** Each test is skipped with the reason, so that the reports list every one of them. */
  @BeforeEach
  void requirePodman() {
    assumeTrue(cannotRun.isEmpty(), () -> "container image not smoke-tested: " + cannotRun.get());
  }

  @Test
  void imageRunsAsNonRootAndNamesItsEntryPoint() {
    String user = podman.inspectImage(image, "{{.Config.User}}");
    assertThat(user).as("image user").isNotEmpty();
    assertThat(user.split(":")[0]).as("user id of %s", user).matches("[0-9]+").isNotEqualTo("0");
    assertThat(podman.inspectImage(image, "{{json .Config.Entrypoint}}"))
        .contains("\"java\"", "\"io.stevedore.Main\"");
    assertThat(podman.inspectImage(image, "{{json .Config.Cmd}}"))
        .isEqualTo("[\"serve\",\"--config\",\"/etc/stevedore/stevedore.yaml\"]");
    assertThat(podman.inspectImage(image, "{{json .Config.Volumes}}"))
        .contains("\"/var/lib/stevedore\"", "\"/etc/stevedore\"");
  }

  @Test
  void heapIsHalfOfTheContainersMemoryLimit() {
    ExecResult flags =
        podman.run(
            List.of(
                "--rm",
                "--network",
                "none",
                "--memory",
                "512m",
                "--entrypoint",
                "java",
                image,
                "-XX:+PrintFlagsFinal",
                "-version"));
    Matcher heap = MAX_HEAP.matcher(flags.stdout());
    assertThat(heap.find()).as("MaxHeapSize in %s", flags.stdout()).isTrue();
    assertThat(Long.parseLong(heap.group(1))).isEqualTo(512L * 1024 * 1024 / 2);
  }

  @Test
  void pullsThroughTheContainerAndServesFromItsVolumeAfterARestartWithTheUpstreamDown()
      throws IOException {
    RegistryProcess registry = lab.registry();
    OciImage small = OciImages.shared().small();
    lab.push(small, "e2e/small:1.0");
    Skopeo skopeo = lab.skopeo();
    String upstreamDigest = skopeo.manifestDigest(registry.hostPort() + "/e2e/small:1.0");

    int port = FreePorts.freePort();
    Path config = writeConfig(port, registry);
    String volume = "stevedore-data";
    List<String> runArgs =
        List.of(
            "--detach",
            "--name",
            "stevedore",
            // The mirror binds 127.0.0.1:port of the host, where the lab's upstream is too.
            "--network",
            "host",
            "--volume",
            config + ":/etc/stevedore:ro",
            "--volume",
            volume + ":/var/lib/stevedore",
            image);

    RegistryProcess.Mark beforeFirst = registry.mark();
    podman.run(runArgs);
    awaitReady(port);
    String mirrored = "127.0.0.1:" + port + "/e2e/small:1.0";
    Path first = lab.path("first-pull");
    List<String> blobs = new ArrayList<>(small.blobDigests());
    blobs.add(upstreamDigest);
    assertThat(skopeo.pullToOci(mirrored, first)).isEqualTo(upstreamDigest);
    assertThat(blobFiles(first)).containsExactlyInAnyOrderElementsOf(blobs);
    assertThat(registry.requestsSince(beforeFirst))
        .as("upstream requests of the first pull")
        .anyMatch(e -> e.matches("GET", "/v2/e2e/small/blobs/.*"));

    podman.stop("stevedore", STOP_GRACE);
    podman.remove("stevedore");
    registry.stop();
    assertThat(Daemons.status(registry.url().resolve("/v2/"))).as("upstream is down").isEqualTo(-1);

    // A new container: whatever it serves comes from the volume, not a container's own layer.
    podman.run(runArgs);
    awaitReady(port);
    Path second = lab.path("second-pull");
    assertThat(skopeo.pullToOci(mirrored, second)).isEqualTo(upstreamDigest);
    assertThat(blobFiles(second)).containsExactlyInAnyOrderElementsOf(blobs);
  }

  /** A config directory as an operator mounts it; the data path is the image's default. */
  private static Path writeConfig(int port, RegistryProcess registry) {
    Path dir = lab.path("etc-stevedore");
    String yaml =
        """
        server:
          host: 127.0.0.1
          port: %d
        admin:
          port: %d
        upstreams:
        """
                .formatted(port, FreePorts.freePort())
            + MirrorUpstream.of("lab", registry.url()).aliases("lab.example").asDefault().toYaml();
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("stevedore.yaml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static void awaitReady(int port) {
    Daemons.awaitHttp(
        URI.create("http://127.0.0.1:" + port + "/readyz"),
        Set.of(200),
        START_TIMEOUT,
        () -> podman.isRunning("stevedore"),
        () -> podman.logs("stevedore"));
  }

  /**
   * The digests of the blobs (manifest, config, layers) skopeo wrote, each checked against its
   * content.
   */
  private static List<String> blobFiles(Path layout) throws IOException {
    List<String> digests = new ArrayList<>();
    try (Stream<Path> files = Files.list(layout.resolve("blobs/sha256"))) {
      for (Path file : files.toList()) {
        String digest = "sha256:" + file.getFileName();
        assertThat(Skopeo.sha256(Files.readAllBytes(file)))
            .as("content of " + file)
            .isEqualTo(digest);
        digests.add(digest);
      }
    }
    return digests;
  }
}
