package io.stevedore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private containerd 1.6 daemon (root required) with its own root, state, socket and config, so
 * it neither needs nor disturbs a system containerd. Pulls go through {@code ctr images pull
 * --hosts-dir}, the way Kubernetes nodes configure mirrors.
 *
 * <p>The content store is configured {@code isolated}: a namespace sees only blobs it downloaded
 * itself, so a pull in a {@linkplain #newNamespace() fresh namespace} really downloads every blob
 * (with the default {@code shared} policy it would reuse blobs another namespace fetched).
 */
public final class Containerd implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CTR_TIMEOUT = Duration.ofMinutes(5);

  private final Path dir;
  private final Path socketDir;
  private final AtomicInteger namespaces = new AtomicInteger();
  private Process process;

  /** One image as {@code ctr images ls} lists it. */
  public record ImageEntry(String ref, String mediaType, String digest) {}

  /** The outcome of a pull: where it went and which digest the reference resolved to. */
  public record Pull(String namespace, String ref, String digest, ExecResult output) {}

  private Containerd(Path dir, Path socketDir) {
    this.dir = dir;
    this.socketDir = socketDir;
  }

  /** Whether this JVM can run containerd at all (it must be root). */
  public static boolean canRun() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Starts containerd with everything under {@code dir}; returns once it answers on its socket. */
  public static Containerd start(Path dir) {
    if (!canRun()) {
      throw new AssertionError(
          "containerd needs root (mounts, chown of unpacked files); running as "
              + System.getProperty("user.name"));
    }
    try {
      Files.createDirectories(dir);
      // Unix socket paths are limited to 107 bytes; a deep @TempDir can exceed that.
      Path socketDir = Files.createTempDirectory(Path.of("/tmp"), "e2e-ctd-");
      Containerd containerd = new Containerd(dir, socketDir);
      containerd.writeConfig();
      containerd.launch();
      return containerd;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeConfig() throws IOException {
    // CRI (Kubernetes) and the snapshotters that need special file systems are not needed to
    // pull; "opt" would otherwise install into /opt/containerd.
    String toml =
        """
        version = 2
        root = "%s"
        state = "%s"
        disabled_plugins = [
          "io.containerd.grpc.v1.cri",
          "io.containerd.snapshotter.v1.aufs",
          "io.containerd.snapshotter.v1.btrfs",
          "io.containerd.snapshotter.v1.devmapper",
          "io.containerd.snapshotter.v1.zfs",
        ]

        [grpc]
          address = "%s"

        [ttrpc]
          address = "%s.ttrpc"

        [debug]
          address = ""
          level = "info"

        [metrics]
          address = ""

        [plugins."io.containerd.metadata.v1.bolt"]
          content_sharing_policy = "isolated"

        [plugins."io.containerd.internal.v1.opt"]
          path = "%s"
        """
            .formatted(
                dir.resolve("root").toAbsolutePath(),
                dir.resolve("state").toAbsolutePath(),
                socket(),
                socket(),
                dir.resolve("opt").toAbsolutePath());
    Files.writeString(configFile(), toml);
  }

  private void launch() {
    ProcessBuilder builder =
        new ProcessBuilder("containerd", "--config", configFile().toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    process = Daemons.start(builder);
    Process started = process;
    Daemons.await(
        "containerd to answer on " + socket(),
        START_TIMEOUT,
        started::isAlive,
        () -> Daemons.diagnose(started, this::logTail),
        () -> Files.exists(socket()) && ctrResult(List.of("version")).succeeded());
  }

  public Path socket() {
    return socketDir.resolve("containerd.sock");
  }

  public Path configFile() {
    return dir.resolve("config.toml");
  }

  public Path logFile() {
    return dir.resolve("containerd.log");
  }

  /** A namespace no pull has used yet: with isolated content, its pulls download everything. */
  public String newNamespace() {
    return "e2e-" + namespaces.incrementAndGet();
  }

  /**
   * Pulls {@code ref} in a fresh namespace (so every blob is really downloaded) and unpacks it with
   * the native snapshotter (overlayfs may be unavailable inside CI containers).
   *
   * @param hostsDir holds {@code <registry host>/hosts.toml}, see {@link #writeHostsToml}
   * @param extraArgs further {@code ctr images pull} flags, e.g. {@code --all-platforms}
   */
  public Pull pull(Path hostsDir, String ref, String... extraArgs) {
    return pull(newNamespace(), hostsDir, ref, extraArgs);
  }

  /** Pulls {@code ref} into {@code namespace}; fails with ctr's output if the pull fails. */
  public Pull pull(String namespace, Path hostsDir, String ref, String... extraArgs) {
    ExecResult result = tryPull(namespace, hostsDir, ref, extraArgs).requireSuccess();
    return new Pull(namespace, ref, imageDigest(namespace, ref), result);
  }

  /** Like {@link #pull} but returns a failed result instead of throwing (for negative tests). */
  public ExecResult tryPull(String namespace, Path hostsDir, String ref, String... extraArgs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-n",
                namespace,
                "images",
                "pull",
                "--snapshotter",
                "native",
                "--hosts-dir",
                hostsDir.toAbsolutePath().toString()));
    args.addAll(Arrays.asList(extraArgs));
    args.add(ref);
    return ctrResult(args);
  }

  /** {@code ctr images ls} in {@code namespace}. */
  public List<ImageEntry> images(String namespace) {
    return ctr("-n", namespace, "images", "ls")
        .stdout()
        .lines()
        .skip(1) // header
        .map(line -> line.trim().split("\\s+"))
        .filter(f -> f.length >= 3)
        .map(f -> new ImageEntry(f[0], f[1], f[2]))
        .toList();
  }

  /** The digest (manifest or index) that {@code ref} points to in {@code namespace}. */
  public String imageDigest(String namespace, String ref) {
    return images(namespace).stream()
        .filter(i -> i.ref().equals(ref))
        .map(ImageEntry::digest)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no image " + ref + " in namespace " + namespace));
  }

  /** Digests of all blobs {@code namespace} holds. */
  public List<String> content(String namespace) {
    return ctr("-n", namespace, "content", "ls", "-q")
        .stdout()
        .lines()
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /**
   * Removes images and content in every namespace, so that a later pull, in any namespace,
   * downloads everything again.
   */
  public void removeEverything() {
    for (String namespace : namespaces()) {
      for (ImageEntry image : images(namespace)) {
        ctr("-n", namespace, "images", "rm", "--sync", image.ref());
      }
      List<String> digests = content(namespace);
      if (!digests.isEmpty()) {
        List<String> args = new ArrayList<>(List.of("-n", namespace, "content", "rm"));
        args.addAll(digests);
        ctr(args.toArray(new String[0]));
      }
    }
  }

  public List<String> namespaces() {
    return ctr("namespaces", "ls", "-q")
        .stdout()
        .lines()
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** {@code ctr --address SOCKET args...}; fails with ctr's output on a non-zero exit. */
  public ExecResult ctr(String... args) {
    return ctrResult(Arrays.asList(args)).requireSuccess();
  }

  private ExecResult ctrResult(List<String> args) {
    List<String> command = new ArrayList<>(List.of("ctr", "--address", socket().toString()));
    command.addAll(args);
    return Exec.run(command, CTR_TIMEOUT);
  }

  /**
   * Writes {@code hostsDir/<registryHost>/hosts.toml}: {@code server} is where containerd goes when
   * every mirror failed, each mirror is tried first, in order. containerd adds {@code
   * ?ns=<registryHost>} to mirror requests. Plain {@code http://} URLs need no {@code
   * --plain-http}.
   *
   * <p>Without mirrors the server is also listed as a host: containerd 1.6 rejects a hosts.toml
   * without any {@code [host]} table ("invalid `host` tree") and then falls back to resolving
   * {@code registryHost} in DNS.
   *
   * @param registryHost the registry part of image references, e.g. {@code lab.example} or {@code
   *     127.0.0.1:5000}; must never be a public registry name
   */
  public static Path writeHostsToml(
      Path hostsDir, String registryHost, URI server, URI... mirrors) {
    return writeHostsToml(hostsDir, registryHost, server, HostTls.NONE, mirrors);
  }

  /**
   * How containerd verifies an HTTPS host, and the client certificate it presents.
   *
   * @param ca the CA certificate (PEM) the host's certificate must be signed by, or null for the
   *     system's
   * @param clientCert a client certificate (PEM) for mutual TLS, or null
   * @param clientKey its key
   */
  public record HostTls(Path ca, Path clientCert, Path clientKey) {
    public static final HostTls NONE = new HostTls(null, null, null);

    /** The lines of one {@code [host]} table: {@code ca} and {@code client}. */
    String toml() {
      String toml = ca == null ? "" : "  ca = \"" + ca.toAbsolutePath() + "\"\n";
      return clientCert == null
          ? toml
          : toml
              + "  client = [[\""
              + clientCert.toAbsolutePath()
              + "\", \""
              + clientKey.toAbsolutePath()
              + "\"]]\n";
    }
  }

  /** {@link #writeHostsToml(Path, String, URI, URI...)} with {@code tls} for every mirror. */
  public static Path writeHostsToml(
      Path hostsDir, String registryHost, URI server, HostTls tls, URI... mirrors) {
    StringBuilder toml = new StringBuilder();
    toml.append("server = \"").append(server).append("\"\n");
    List<URI> hosts = mirrors.length == 0 ? List.of(server) : Arrays.asList(mirrors);
    for (URI host : hosts) {
      toml.append("\n[host.\"")
          .append(host)
          .append("\"]\n  capabilities = [\"pull\", \"resolve\"]\n")
          .append(tls.toml());
    }
    try {
      Path file = hostsDir.resolve(registryHost).resolve("hosts.toml");
      Files.createDirectories(file.getParent());
      Files.writeString(file, toml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String logTail() {
    return Daemons.tail(logFile(), 40);
  }

  /** SIGTERM (containerd shuts down cleanly), then the socket directory goes. */
  @Override
  public void close() {
    Daemons.terminate(process, Duration.ofSeconds(15));
    process = null;
    try {
      OciImages.deleteTree(socketDir);
    } catch (IOException e) {
      // Only sockets; /tmp is cleaned anyway.
    }
  }
}
