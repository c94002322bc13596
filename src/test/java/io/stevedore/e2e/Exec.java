package io.stevedore.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs short-lived external commands (skopeo, ctr, htpasswd) with a hard timeout. */
public final class Exec {
  private static final int MAX_SHOWN = 8000;

  private Exec() {}

  public static ExecResult run(List<String> command, Duration timeout) {
    return run(command, timeout, Map.of(), null);
  }

  /**
   * Runs {@code command}; stdout and stderr are drained on their own threads so a chatty command
   * cannot block on a full pipe. On timeout the whole process tree is killed and the test fails
   * with what the command printed so far.
   */
  public static ExecResult run(
      List<String> command, Duration timeout, Map<String, String> env, Path workDir) {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.environment().putAll(env);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
    }
    try {
      process.getOutputStream().close();
      CompletableFuture<byte[]> out = drain(process.getInputStream());
      CompletableFuture<byte[]> err = drain(process.getErrorStream());
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        ExecResult partial =
            new ExecResult(command, -1, out.getNow(new byte[0]), text(err.getNow(new byte[0])));
        throw new AssertionError(partial.describe("timed out after " + timeout));
      }
      return new ExecResult(command, process.exitValue(), out.join(), text(err.join()));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + String.join(" ", command), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CompletableFuture<byte[]> drain(InputStream in) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              ByteArrayOutputStream buffer = new ByteArrayOutputStream();
              try (in) {
                in.transferTo(buffer);
              } catch (IOException e) {
                // The process was killed; keep what was read.
              }
              result.complete(buffer.toByteArray());
            });
    return result;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Keeps failure messages readable: the end of a long output is where the error is. */
  static String abbreviate(String text) {
    if (text.length() <= MAX_SHOWN) {
      return text;
    }
    return "[... "
        + (text.length() - MAX_SHOWN)
        + " chars cut ...]\n"
        + text.substring(text.length() - MAX_SHOWN);
  }
}
