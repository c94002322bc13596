package io.stevedore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real upstream registry: CNCF Distribution ({@code docker-registry serve}) with filesystem
 * storage on 127.0.0.1, optionally behind Basic auth. Its access log (stdout) goes to a file that
 * {@link #requests()} parses, which is how tests count what the mirror asked upstream.
 *
 * <p>{@link #stop()} and {@link #start()} keep port, storage and log, so a test can take the
 * upstream away and bring it back.
 */
public final class RegistryProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final String SYNC_PARAM = "e2e-sync=";

  private final Path dir;
  private final int port;
  private final Optional<String> username;
  private final Optional<String> password;
  private final AtomicLong syncCounter = new AtomicLong();
  private Process process;
  private Mark mark = new Mark(0);

  /** A position in the access log; entries after it are "what happened since". */
  public record Mark(int position) {}

  private RegistryProcess(Path dir, int port, String username, String password) {
    this.dir = dir;
    this.port = port;
    this.username = Optional.ofNullable(username);
    this.password = Optional.ofNullable(password);
  }

  /** Starts an anonymous registry whose files live under {@code dir}. */
  public static RegistryProcess start(Path dir) {
    return launch(dir, null, null);
  }

  /** Starts a registry that demands HTTP Basic auth for {@code username}/{@code password}. */
  public static RegistryProcess startWithBasicAuth(Path dir, String username, String password) {
    return launch(dir, username, password);
  }

  private static RegistryProcess launch(Path dir, String username, String password) {
    RegistryProcess registry = new RegistryProcess(dir, FreePorts.freePort(), username, password);
    registry.writeConfig();
    registry.start();
    return registry;
  }

  private void writeConfig() {
    try {
      Files.createDirectories(storageDir());
      StringBuilder yaml = new StringBuilder();
      yaml.append(
          """
          version: 0.1
          log:
            level: info
            accesslog:
              disabled: false
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          http:
            addr: 127.0.0.1:%d
            # Fixed so restarts keep accepting upload sessions begun before them.
            secret: stevedore-e2e-secret
          """
              .formatted(storageDir().toAbsolutePath(), port));
      if (username.isPresent()) {
        Path htpasswd = dir.resolve("htpasswd");
        // bcrypt (-B) is the only hash Distribution accepts.
        String entry =
            Exec.run(
                    List.of("htpasswd", "-Bbn", username.get(), password.orElseThrow()),
                    Duration.ofSeconds(30))
                .requireSuccess()
                .stdout()
                .strip();
        Files.writeString(htpasswd, entry + "\n");
        yaml.append(
            """
            auth:
              htpasswd:
                realm: stevedore-e2e
                path: %s
            """
                .formatted(htpasswd.toAbsolutePath()));
      }
      Files.writeString(configFile(), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** (Re)starts the registry on the same port and storage; returns once {@code /v2/} answers. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    ProcessBuilder builder =
        new ProcessBuilder("docker-registry", "serve", configFile().toString())
            .directory(dir.toFile())
            // Appending keeps every run's log lines, so marks survive a restart.
            .redirectOutput(ProcessBuilder.Redirect.appendTo(accessLogFile().toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    process = Daemons.start(builder);
    Process started = process;
    Daemons.awaitHttp(
        url().resolve("/v2/"),
        username.isPresent() ? Set.of(401) : Set.of(200),
        START_TIMEOUT,
        started::isAlive,
        () -> Daemons.diagnose(started, this::logTail));
  }

  /** SIGTERM and wait; the port is free afterwards. */
  public synchronized void stop() {
    Daemons.terminate(process, Duration.ofSeconds(10));
    process = null;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:PORT}, the registry part of an image reference. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI url() {
    return URI.create("http://" + hostPort());
  }

  public Optional<String> username() {
    return username;
  }

  public Optional<String> password() {
    return password;
  }

  public Path storageDir() {
    return dir.resolve("storage");
  }

  public Path configFile() {
    return dir.resolve("config.yml");
  }

  /** Access log (the registry's stdout), one line per request. */
  public Path accessLogFile() {
    return dir.resolve("access.log");
  }

  /** The registry's own structured log (stderr). */
  public Path logFile() {
    return dir.resolve("registry.log");
  }

  /**
   * Uploads {@code content} as a blob of {@code repository} (a POST, then one PUT with the digest):
   * blobs for tests that need many distinct ones and no image around them. Anonymous registries
   * only.
   *
   * @return its digest
   */
  public String pushBlob(String repository, byte[] content) {
    String digest = "sha256:" + sha256Hex(content);
    try {
      HttpResponse<Void> started =
          Daemons.HTTP.send(
              HttpRequest.newBuilder(url().resolve("/v2/" + repository + "/blobs/uploads/"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      String location = started.headers().firstValue("Location").orElseThrow();
      URI upload = url().resolve(location);
      String separator = upload.getQuery() == null ? "?" : "&";
      HttpResponse<Void> done =
          Daemons.HTTP.send(
              HttpRequest.newBuilder(URI.create(upload + separator + "digest=" + digest))
                  .header("Content-Type", "application/octet-stream")
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (done.statusCode() != 201) {
        throw new AssertionError("blob upload answered " + done.statusCode() + "\n" + logTail());
      }
      return digest;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static String sha256Hex(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Every request the registry logged since it was first started (sync probes left out). */
  public List<AccessLogEntry> allRequests() {
    return entries().stream().filter(e -> !isSync(e)).toList();
  }

  /** The requests logged after the last {@link #clearCount()} (or since the start). */
  public List<AccessLogEntry> requests() {
    return requestsSince(currentMark());
  }

  /** The requests logged after {@code mark}. */
  public List<AccessLogEntry> requestsSince(Mark mark) {
    List<AccessLogEntry> all = entries();
    return all.subList(Math.min(mark.position(), all.size()), all.size()).stream()
        .filter(e -> !isSync(e))
        .toList();
  }

  /** Requests since the last {@link #clearCount()} with this method and a path matching fully. */
  public long count(String method, String pathRegex) {
    return requests().stream().filter(e -> e.matches(method, pathRegex)).count();
  }

  /** Blob GETs since the last {@link #clearCount()}, in any repository. */
  public long blobGets() {
    return count("GET", "/v2/.+/blobs/sha256:[0-9a-f]{64}");
  }

  /** Manifest GETs and HEADs since the last {@link #clearCount()}, in any repository. */
  public long manifestRequests() {
    return count("GET", "/v2/.+/manifests/[^/]+") + count("HEAD", "/v2/.+/manifests/[^/]+");
  }

  /** Starts counting afresh: later {@link #requests()} and {@link #count} see only new entries. */
  public synchronized void clearCount() {
    mark = mark();
  }

  /** The current end of the log, for counting from here without resetting {@link #count}. */
  public Mark mark() {
    return new Mark(entries().size());
  }

  private synchronized Mark currentMark() {
    return mark;
  }

  /**
   * Reads the log after a sync probe: the registry writes a line after each response, so sending a
   * marked request and waiting for its line makes earlier, finished requests visible before
   * counting (a client may see its last bytes a moment before the registry logs them).
   */
  private List<AccessLogEntry> entries() {
    if (isRunning()) {
      String token = SYNC_PARAM + syncCounter.incrementAndGet();
      Daemons.status(url().resolve("/v2/?" + token));
      Daemons.await(
          "the access log to show " + token,
          Duration.ofSeconds(10),
          () -> true,
          this::logTail,
          () -> parse().stream().anyMatch(e -> e.query().equals(token)));
    }
    return parse();
  }

  private List<AccessLogEntry> parse() {
    if (!Files.exists(accessLogFile())) {
      return List.of();
    }
    try {
      return new String(Files.readAllBytes(accessLogFile()), StandardCharsets.UTF_8)
          .lines()
          .map(AccessLogEntry::parse)
          .flatMap(Optional::stream)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isSync(AccessLogEntry e) {
    return e.query().startsWith(SYNC_PARAM);
  }

  /** Tails of both logs, for failure messages. */
  public String logTail() {
    return Daemons.tail(logFile(), 40) + "\n" + Daemons.tail(accessLogFile(), 40);
  }

  @Override
  public void close() {
    Daemons.kill(process);
    process = null;
  }
}
