package io.stevedore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * HAProxy (Debian's {@code haproxy}) running the shipped recipe, {@code conf/haproxy.cfg}, with its
 * bind address moved to a free loopback port and its servers replaced by the nodes given.
 */
final class HaproxyProcess implements AutoCloseable {
  private static final Path RECIPE = Path.of("conf/haproxy.cfg");
  private static final Path BINARY = Path.of("/usr/sbin/haproxy");

  private final Path dir;
  private final int port;
  private Process process;

  private HaproxyProcess(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Whether haproxy is installed ({@code .ci/run} installs it). */
  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** Runs the recipe in front of {@code nodes}; returns once it answers {@code /v2/}. */
  static HaproxyProcess start(Path dir, List<URI> nodes) {
    HaproxyProcess haproxy = new HaproxyProcess(dir, FreePorts.freePort());
    try {
      Files.createDirectories(dir);
      Files.writeString(haproxy.configFile(), recipe(haproxy.port, nodes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProcessBuilder builder =
        new ProcessBuilder(BINARY.toString(), "-db", "-f", haproxy.configFile().toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(haproxy.logFile().toFile()));
    haproxy.process = Daemons.start(builder);
    Process started = haproxy.process;
    Daemons.awaitHttp(
        haproxy.url().resolve("/v2/"),
        Set.of(200),
        Duration.ofSeconds(30),
        started::isAlive,
        () -> Daemons.diagnose(started, () -> Daemons.tail(haproxy.logFile(), 40)));
    return haproxy;
  }

  /** The recipe, bound to {@code port} on loopback, with a server line per node. */
  static String recipe(int port, List<URI> nodes) {
    try {
      String servers =
          IntStream.range(0, nodes.size())
              .mapToObj(
                  i ->
                      "  server node-%d %s:%d check inter 1s\n"
                          .formatted(i, nodes.get(i).getHost(), nodes.get(i).getPort()))
              .collect(Collectors.joining());
      String recipe = Files.readString(RECIPE);
      return recipe
              .replaceAll("(?m)^  bind .*$", "  bind 127.0.0.1:" + port)
              .replaceAll("(?m)^  server .*\\n", "")
          + servers;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:PORT}, the registry part of an image reference through the balancer. */
  String hostPort() {
    return "127.0.0.1:" + port;
  }

  URI url() {
    return URI.create("http://" + hostPort());
  }

  Path configFile() {
    return dir.resolve("haproxy.cfg");
  }

  Path logFile() {
    return dir.resolve("haproxy.log");
  }

  @Override
  public void close() {
    Daemons.terminate(process, Duration.ofSeconds(10));
    process = null;
  }
}
