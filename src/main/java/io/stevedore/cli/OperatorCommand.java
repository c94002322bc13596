package io.stevedore.cli;

import io.stevedore.app.Mirror;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.ops.Operator;
import io.stevedore.store.StoreLockedException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Mixin;

/**
 * An operator's chore from the command line: on the data directory when no server has it open, else
 * through the running server's admin endpoint (RocksDB lets one process open a store). Both ways
 * print the same progress lines; a line starting with {@code failed:} makes the exit code 1.
 */
abstract class OperatorCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  /** The admin endpoint's name, {@code /_stevedore/<name>}. */
  abstract String name();

  /** Runs the chore in this process, printing progress to {@code out}. */
  abstract void run(Operator operator, PrintStream out) throws IOException;

  /** Asks the running server to do the chore; returns the exit code. */
  int throughServer(AdminClient admin) throws IOException, InterruptedException {
    return admin.stream(name() + query(), body());
  }

  /** The query string for the admin endpoint, empty for none. */
  String query() {
    return "";
  }

  /** The request body for the admin endpoint. */
  HttpRequest.BodyPublisher body() throws IOException {
    return HttpRequest.BodyPublishers.noBody();
  }

  @Override
  public Integer call() throws Exception {
    StevedoreConfig settings = config.load();
    Mirror mirror;
    try {
      mirror = Mirror.open(settings, Clock.systemUTC());
    } catch (StoreLockedException running) {
      return throughServer(AdminClient.of(settings));
    }
    AtomicBoolean failed = new AtomicBoolean();
    PrintStream out = new FailureWatchingStream(System.out, failed);
    try (mirror) {
      out.println(name() + " on " + settings.storagePath().toAbsolutePath().normalize());
      run(mirror.operator(), out);
    }
    return failed.get() ? 1 : 0;
  }

  /** Passes lines on, noting whether one reported a failure. */
  private static final class FailureWatchingStream extends PrintStream {
    private final AtomicBoolean failed;

    FailureWatchingStream(PrintStream out, AtomicBoolean failed) {
      super(out, true, StandardCharsets.UTF_8);
      this.failed = failed;
    }

    @Override
    public void println(String line) {
      if (line.startsWith("failed:")) {
        failed.set(true);
      }
      super.println(line);
    }
  }
}
