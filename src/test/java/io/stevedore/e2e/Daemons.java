package io.stevedore.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/** Shared plumbing for long-running child processes: readiness polling, logs, cleanup. */
public final class Daemons {
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  /** The client for plain-HTTP daemons. */
  static final HttpClient HTTP = httpClient(null);

  static {
    // A test that dies without close() must not leave a registry or containerd running on CI.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    RUNNING.forEach(
                        p -> {
                          p.descendants().forEach(ProcessHandle::destroyForcibly);
                          p.destroyForcibly();
                        })));
  }

  private Daemons() {}

  /** A client for health probes; through TLS with {@code tls}, plain HTTP when it is null. */
  static HttpClient httpClient(SSLContext tls) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1);
    if (tls != null) {
      builder.sslContext(tls);
    }
    return builder.build();
  }

  /** Starts {@code builder} and remembers the process so a JVM shutdown kills it. */
  static Process start(ProcessBuilder builder) {
    try {
      Process process = builder.start();
      RUNNING.add(process);
      process.onExit().thenRun(() -> RUNNING.remove(process));
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", builder.command()), e);
    }
  }

  /** Polite stop: SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
  static void terminate(Process process, Duration grace) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    }
  }

  /** SIGKILL, and wait until the kernel has reaped it so its port and files are released. */
  static void kill(Process process) {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Returns the HTTP status of {@code GET uri}, or -1 when nothing answers yet. */
  public static int status(URI uri) {
    return status(HTTP, uri);
  }

  /** Returns the HTTP status of {@code GET uri} through {@code client}, or -1 when none answers. */
  static int status(HttpClient client, URI uri) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Polls {@code GET uri} until it answers one of {@code expected}. Fails early when the process
   * has died (no point waiting out the deadline), and always with the log tail in the message.
   */
  static void awaitHttp(
      URI uri,
      Set<Integer> expected,
      Duration timeout,
      BooleanSupplier alive,
      Supplier<String> diagnostics) {
    awaitHttp(HTTP, uri, expected, timeout, alive, diagnostics);
  }

  /** {@link #awaitHttp(URI, Set, Duration, BooleanSupplier, Supplier)} through {@code client}. */
  static void awaitHttp(
      HttpClient client,
      URI uri,
      Set<Integer> expected,
      Duration timeout,
      BooleanSupplier alive,
      Supplier<String> diagnostics) {
    await(
        "GET " + uri + " to answer " + expected,
        timeout,
        alive,
        diagnostics,
        () -> expected.contains(status(client, uri)));
  }

  /** Polls {@code condition} with a short back-off until {@code timeout}. */
  static void await(
      String what,
      Duration timeout,
      BooleanSupplier alive,
      Supplier<String> diagnostics,
      BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    long pauseMillis = 10;
    while (true) {
      if (condition.getAsBoolean()) {
        return;
      }
      if (!alive.getAsBoolean()) {
        throw new AssertionError(
            "process exited while waiting for " + what + "\n" + diagnostics.get());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "timed out after " + timeout + " waiting for " + what + "\n" + diagnostics.get());
      }
      try {
        // A poll interval, not a readiness guess: the loop re-checks the condition.
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
      pauseMillis = Math.min(200, pauseMillis * 2);
    }
  }

  /** Exit status and log tail of a daemon, for failure messages. */
  static String diagnose(Process process, Supplier<String> logTail) {
    String state =
        process.isAlive() ? "still running" : "exited with status " + process.exitValue();
    return "pid " + process.pid() + " " + state + "\n" + logTail.get();
  }

  /** The last {@code lines} lines of a log file, labelled, for failure messages. */
  public static String tail(Path file, int lines) {
    if (!Files.exists(file)) {
      return "--- " + file + " (missing) ---";
    }
    try {
      // Decoding leniently: a process may write partial or non-UTF-8 bytes.
      List<String> all =
          new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
      List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
      return "--- last " + last.size() + " lines of " + file + " ---\n" + String.join("\n", last);
    } catch (IOException e) {
      return "--- " + file + " unreadable: " + e + " ---";
    }
  }
}
