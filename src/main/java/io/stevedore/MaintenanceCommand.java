package io.stevedore;

import io.stevedore.cache.FillPolicy;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.store.Store;
import io.stevedore.store.StoreLockedException;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.upstream.CircuitBreakerUpstream;
import io.stevedore.upstream.OkHttpUpstream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Mixin;

/**
 * A chore on the cache from the command line: on the data directory when no server has it open,
 * else through the running server's admin endpoint (RocksDB lets one process open a store). Both
 * ways print the same progress lines; a line starting with {@code failed:} makes the exit code 1.
 */
abstract class MaintenanceCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  /** The admin endpoint's name, {@code /_stevedore/<name>}. */
  abstract String name();

  /** Runs the chore in this process, printing progress to {@code out}. */
  abstract void run(Components components, PrintStream out);

  /** The query string for the admin endpoint, empty for none. */
  String query() {
    return "";
  }

  /** The request body for the admin endpoint. */
  String body() {
    return "";
  }

  @Override
  public Integer call() throws Exception {
    Optional<StevedoreConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return 2;
    }
    StevedoreConfig settings = loaded.get();
    Store store;
    try {
      store = RocksStore.open(settings.storagePath());
    } catch (StoreLockedException running) {
      return throughServer(settings);
    }
    AtomicBoolean failed = new AtomicBoolean();
    PrintStream out = new FailureWatchingStream(System.out, failed);
    try (store) {
      out.println(name() + " on " + settings.storagePath().toAbsolutePath().normalize());
      Clock clock = Clock.systemUTC();
      Components components =
          Components.build(
              store,
              settings,
              clock,
              FillPolicy.DEFAULT.withTimeout(settings.fillTimeout()),
              c -> CircuitBreakerUpstream.wrap(OkHttpUpstream.create(c, clock)));
      run(components, out);
    }
    return failed.get() ? 1 : 0;
  }

  private int throughServer(StevedoreConfig settings) throws Exception {
    return AdminClient.of(settings).stream(
        name() + query(), HttpRequest.BodyPublishers.ofString(body()));
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
