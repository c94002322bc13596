package io.stevedore;

import io.stevedore.cache.FillPolicy;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.store.Store;
import io.stevedore.store.StoreLockedException;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.upstream.CircuitBreakerUpstream;
import io.stevedore.upstream.OkHttpUpstream;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
    URI uri =
        URI.create("http://" + host + ":" + settings.port() + "/_stevedore/" + name() + query());
    System.out.println("the store is in use: asking the server at " + uri);
    HttpResponse<InputStream> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofString(body()))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    AtomicBoolean failed = new AtomicBoolean(response.statusCode() != 200);
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      PrintStream out = new FailureWatchingStream(System.out, failed);
      lines.lines().forEach(out::println);
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
