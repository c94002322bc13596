package io.stevedore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The real mirror as a separate JVM ({@code java -jar target/stevedore.jar serve --config FILE}),
 * so tests see exactly what operators run, including start-up, SIGTERM and {@code kill -9}.
 *
 * <p>Port, config and data directory stay the same across {@link #stop()}/{@link #kill()} and
 * {@link #start()}, which is what crash-safety and restart tests need.
 */
public final class StevedoreProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  // An export or import of a few hundred MB with a 32 MiB heap, on a slow CI disk.
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);

  private final Path dir;
  private final int port;
  private final int adminPort;
  private final List<String> jvmArgs;
  private final Set<Integer> readyStatuses;
  private final Map<String, String> env;
  private final Optional<MirrorTls> tls;
  private Process process;

  private StevedoreProcess(
      Path dir,
      int port,
      int adminPort,
      List<String> jvmArgs,
      Set<Integer> readyStatuses,
      Map<String, String> env,
      Optional<MirrorTls> tls) {
    this.dir = dir;
    this.port = port;
    this.adminPort = adminPort;
    this.jvmArgs = jvmArgs;
    this.readyStatuses = readyStatuses;
    this.env = env;
    this.tls = tls;
  }

  /** Configures a mirror whose config, data and log live under {@code dir}. */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** Collects the configuration; {@link #start()} writes it and starts the mirror. */
  public static final class Builder {
    private final Path dir;
    private final List<MirrorUpstream> upstreams = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String extraYaml = "";
    private String serverYaml = "";
    private int port;
    private int adminPort;
    private Set<Integer> readyStatuses = Set.of(200);
    private Optional<MirrorTls> tls = Optional.empty();

    private Builder(Path dir) {
      this.dir = dir;
    }

    public Builder upstream(MirrorUpstream upstream) {
      upstreams.add(upstream);
      return this;
    }

    /** A fixed admin port instead of a free one picked at start. */
    public Builder adminPort(int adminPort) {
      this.adminPort = adminPort;
      return this;
    }

    /** A fixed port instead of a free one picked at start. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Top-level YAML appended verbatim, for sections the harness does not model yet. */
    public Builder extraYaml(String yaml) {
      this.extraYaml = yaml;
      return this;
    }

    /** Further keys of the {@code server:} section, one {@code key: value} per line, unindented. */
    public Builder serverYaml(String yaml) {
      this.serverYaml = yaml;
      return this;
    }

    /** JVM options such as {@code -Xmx256m}, before {@code -jar}. */
    public Builder jvmArgs(String... args) {
      jvmArgs.addAll(List.of(args));
      return this;
    }

    /**
     * An environment variable of the mirror's process (on top of the test JVM's), e.g. {@code
     * UPSTREAMS_1_PASSWORD}, which overrides the config file. Kept for restarts.
     */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** Serves HTTPS: {@link #url()} is {@code https://}, and readiness is probed through TLS. */
    public Builder tls(MirrorTls tls) {
      this.tls = Optional.of(tls);
      return this;
    }

    /** What {@code GET /v2/} answers once ready: 200, or 401 when client auth is on. */
    public Builder readyWhen(Integer... statuses) {
      readyStatuses = Set.of(statuses);
      return this;
    }

    /** Writes the config, starts the mirror and waits until {@code /v2/} answers. */
    public StevedoreProcess start() {
      if (upstreams.isEmpty()) {
        throw new IllegalStateException("a mirror needs at least one upstream");
      }
      StevedoreProcess mirror =
          new StevedoreProcess(
              dir,
              port != 0 ? port : FreePorts.freePort(),
              // Each mirror its own: tests run several at once, and the default 5001 would
              // collide.
              adminPort != 0 ? adminPort : FreePorts.freePort(),
              List.copyOf(jvmArgs),
              readyStatuses,
              Map.copyOf(env),
              tls);
      mirror.writeConfig(upstreams, serverYaml, extraYaml);
      mirror.start();
      return mirror;
    }
  }

  private void writeConfig(List<MirrorUpstream> upstreams, String serverYaml, String extraYaml) {
    StringBuilder yaml = new StringBuilder();
    yaml.append(
        """
        server:
          host: 127.0.0.1
          port: %d
        %s%sstorage:
          path: %s
        admin:
          port: %d
        upstreams:
        """
            .formatted(
                port,
                serverYaml.lines().map(line -> "  " + line + "\n").collect(Collectors.joining()),
                tls.map(MirrorTls::toYaml).orElse(""),
                dataDir().toAbsolutePath(),
                adminPort));
    upstreams.forEach(u -> yaml.append(u.toYaml()));
    yaml.append(extraYaml);
    try {
      Files.createDirectories(dir);
      Files.writeString(configFile(), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The jar Maven's package phase builds; {@code -Dstevedore.jar=...} points elsewhere. */
  public static Path jar() {
    return Path.of(System.getProperty("stevedore.jar", "target/stevedore.jar")).toAbsolutePath();
  }

  /** (Re)starts the mirror on the same port and data; returns once {@code GET /v2/} answers. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    List<String> command = java(jvmArgs);
    command.addAll(List.of("serve", "--config", configFile().toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            // Appending keeps the log of earlier runs: a restart test wants to see both.
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    builder.environment().putAll(env);
    process = Daemons.start(builder);
    Process started = process;
    Daemons.awaitHttp(
        tls.map(t -> Daemons.httpClient(t.client())).orElse(Daemons.HTTP),
        url().resolve("/v2/"),
        readyStatuses,
        START_TIMEOUT,
        started::isAlive,
        () -> Daemons.diagnose(started, this::logTail));
  }

  /**
   * Runs {@code stevedore COMMAND --config FILE ARGS...} on this mirror's config, as an operator
   * does beside the running server or on its stopped data directory. {@code jvmArgs} are for this
   * run only (e.g. a small heap); the result is returned whatever the exit code.
   */
  public ExecResult command(List<String> jvmArgs, String command, String... args) {
    List<String> line = java(jvmArgs);
    line.addAll(List.of(command, "--config", configFile().toString()));
    line.addAll(List.of(args));
    return Exec.run(line, COMMAND_TIMEOUT);
  }

  /** The test JVM's own java, so the jar runs on the JDK the build checked; RocksDB is native. */
  /** Runs the jar's command line with {@code args} alone, as a user would type them. */
  public static ExecResult cli(String... args) {
    List<String> line = java(List.of());
    line.addAll(List.of(args));
    return Exec.run(line, COMMAND_TIMEOUT);
  }

  private static List<String> java(List<String> jvmArgs) {
    Path jar = jar();
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " is missing: run ./mvnw verify (package builds it first)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar.toString()));
    return command;
  }

  /** Graceful stop: SIGTERM, and wait for the JVM to exit (SIGKILL after 30 s). */
  public synchronized void stop() {
    Daemons.terminate(process, STOP_TIMEOUT);
    process = null;
  }

  /** {@code kill -9}: no shutdown hooks, no flush; for crash-safety tests. */
  public synchronized void kill() {
    Daemons.kill(process);
    process = null;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The running JVM's pid, e.g. to inspect its memory. */
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("not running");
    }
    return process.pid();
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:PORT}, the registry part of an image reference through the mirror. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** {@code http://127.0.0.1:PORT}, or {@code https://} when it serves TLS. */
  public URI url() {
    return URI.create((tls.isPresent() ? "https://" : "http://") + hostPort());
  }

  /** The admin listener, {@code http://127.0.0.1:ADMIN_PORT}. */
  public URI adminUrl() {
    return URI.create("http://127.0.0.1:" + adminPort);
  }

  public Path configFile() {
    return dir.resolve("stevedore.yml");
  }

  public Path dataDir() {
    return dir.resolve("data");
  }

  /** stdout and stderr of every run, appended. */
  public Path logFile() {
    return dir.resolve("stevedore.log");
  }

  public String logTail() {
    return Daemons.tail(logFile(), 60);
  }

  @Override
  public void close() {
    stop();
  }
}
