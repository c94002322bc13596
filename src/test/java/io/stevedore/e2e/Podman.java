package io.stevedore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private rootful podman: its own image store, run and temp directories ({@code --root}, {@code
 * --runroot}, {@code --tmpdir}), so tests neither need nor disturb the machine's images and
 * containers. The {@code vfs} storage driver needs no overlay mounts; {@code cgroupfs} and the file
 * event log need no systemd.
 */
final class Podman implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final Pattern LOADED = Pattern.compile("Loaded image(?:\\(s\\))?: *(\\S+)");

  /**
   * podman asks for a million open files by default, and sandboxes such as CI's refuse to raise the
   * limit that far (runc: "error setting rlimits"); a mirror under test needs far fewer.
   */
  private static final List<String> LIMITS =
      List.of("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096");

  private final List<String> global;
  private final Path runDir;
  private boolean startedContainers;

  private Podman(Path storage, Path runDir) {
    this.runDir = runDir;
    this.global =
        List.of(
            "podman",
            "--root",
            storage.toString(),
            "--runroot",
            runDir.resolve("run").toString(),
            "--tmpdir",
            runDir.resolve("tmp").toString(),
            "--storage-driver",
            "vfs",
            "--cgroup-manager",
            "cgroupfs",
            "--events-backend",
            "file");
  }

  /** A podman whose images and volumes live under {@code dir}. */
  static Podman in(Path dir) {
    try {
      Files.createDirectories(dir);
      // conmon's attach socket lives under the run root; Unix socket paths are limited to 107
      // bytes, which a deep lab directory may exceed.
      return new Podman(
          dir.resolve("storage"), Files.createTempDirectory(Path.of("/tmp"), "e2e-pm-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Why podman cannot run a container on this machine, or empty when it can: it is missing, or it
   * fails to run {@code true} in a root file system made of the host's {@code /usr/bin/true} and
   * its libraries (so the answer is about podman here, not about any image under test).
   */
  Optional<String> whyCannotRun(Path probeDir) {
    ExecResult version;
    try {
      version = Exec.run(List.of("podman", "--version"), Duration.ofSeconds(30));
    } catch (UncheckedIOException e) {
      return Optional.of("podman is not installed (.ci/run installs it): " + e.getMessage());
    }
    if (!version.succeeded()) {
      return Optional.of("podman does not answer: " + version.describe("failed"));
    }
    Path rootfs = probeRootfs(probeDir);
    ExecResult probe =
        tryPodman(
            runCommand(
                "--rm", "--network", "none", "--rootfs", rootfs.toString(), "/usr/bin/true"));
    if (!probe.succeeded()) {
      return Optional.of(
          version.stdout().strip() + " cannot run a container here: " + probe.describe("failed"));
    }
    return Optional.empty();
  }

  /** Loads a {@code docker save} / Jib tar and returns the image's name. */
  String load(Path tar) {
    ExecResult loaded = podman(List.of("load", "--input", tar.toString()));
    Matcher m = LOADED.matcher(loaded.stdout() + loaded.stderr());
    if (!m.find()) {
      throw new AssertionError(loaded.describe("named no image"));
    }
    return m.group(1);
  }

  /** {@code podman image inspect --format FORMAT IMAGE}, e.g. {@code {{json .Config}}}. */
  String inspectImage(String image, String format) {
    return podman(List.of("image", "inspect", "--format", format, image)).stdout().strip();
  }

  /** {@code podman run ARGS...} with the limits this machine allows; fails on a non-zero exit. */
  ExecResult run(List<String> args) {
    startedContainers = true;
    return podman(runCommand(args.toArray(String[]::new)));
  }

  /** Whether the container {@code name} is running. */
  boolean isRunning(String name) {
    ExecResult state =
        tryPodman(List.of("container", "inspect", "--format", "{{.State.Running}}", name));
    return state.succeeded() && state.stdout().strip().equals("true");
  }

  /** SIGTERM, and SIGKILL after {@code grace}; returns once the container has exited. */
  void stop(String name, Duration grace) {
    podman(List.of("stop", "--time", Long.toString(grace.toSeconds()), name));
  }

  void remove(String name) {
    podman(List.of("rm", "--force", name));
  }

  /** The container's output, for failure messages. */
  String logs(String name) {
    ExecResult logs = tryPodman(List.of("logs", name));
    return "--- podman logs " + name + " ---\n" + Exec.abbreviate(logs.stdout() + logs.stderr());
  }

  /**
   * Removes every container it ran, waits until no process of this podman is left (conmon ends a
   * container with a {@code podman container cleanup} of its own, which writes into the run
   * directory after {@code rm} has returned), then deletes the run directory.
   */
  @Override
  public void close() throws IOException {
    if (startedContainers) {
      tryPodman(List.of("rm", "--all", "--force", "--time", "5"));
      String marker = runDir.toString();
      Daemons.await(
          "podman and conmon processes using " + marker + " to end",
          Duration.ofSeconds(30),
          () -> true,
          () -> String.join("\n", processesUsing(marker)),
          () -> processesUsing(marker).isEmpty());
    }
    OciImages.deleteTree(runDir);
  }

  private static List<String> processesUsing(String path) {
    return ProcessHandle.allProcesses()
        .map(p -> p.info().commandLine().orElse(""))
        .filter(line -> line.contains(path))
        .toList();
  }

  private static List<String> runCommand(String... args) {
    List<String> line = new ArrayList<>(List.of("run"));
    line.addAll(LIMITS);
    line.addAll(List.of(args));
    return line;
  }

  private ExecResult podman(List<String> args) {
    return tryPodman(args).requireSuccess();
  }

  private ExecResult tryPodman(List<String> args) {
    List<String> command = new ArrayList<>(global);
    command.addAll(args);
    return Exec.run(command, TIMEOUT);
  }

  /** {@code /usr/bin/true} and the shared libraries {@code ldd} says it loads, at their paths. */
  private static Path probeRootfs(Path dir) {
    Path rootfs = dir.resolve("rootfs");
    List<String> files = new ArrayList<>(List.of("/usr/bin/true"));
    String ldd =
        Exec.run(List.of("ldd", "/usr/bin/true"), Duration.ofSeconds(30)).requireSuccess().stdout();
    Matcher lib = Pattern.compile("(/\\S+) \\(0x").matcher(ldd);
    while (lib.find()) {
      files.add(lib.group(1));
    }
    try {
      for (String file : files) {
        Path target = rootfs.resolve(file.substring(1));
        Files.createDirectories(target.getParent());
        Files.copy(Path.of(file), target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rootfs;
  }
}
