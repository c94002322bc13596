package io.stevedore;

import io.stevedore.cache.FillPolicy;
import io.stevedore.cache.Maintenance;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.store.Store;
import io.stevedore.store.StoreLockedException;
import io.stevedore.store.rocks.RocksStore;
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
import java.util.function.BiConsumer;
import picocli.CommandLine.Mixin;

/**
 * A maintenance chore from the command line: on the data directory when no server has it open, else
 * through the running server's admin endpoint (RocksDB lets one process open a store).
 */
abstract class MaintenanceCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  private final String name;
  private final BiConsumer<Maintenance, PrintStream> chore;

  MaintenanceCommand(String name, BiConsumer<Maintenance, PrintStream> chore) {
    this.name = name;
    this.chore = chore;
  }

  @Override
  public Integer call() throws Exception {
    Optional<StevedoreConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return 2;
    }
    StevedoreConfig settings = loaded.get();
    Clock clock = Clock.systemUTC();
    Store store;
    try {
      store = RocksStore.open(settings.storagePath());
    } catch (StoreLockedException running) {
      return throughServer(settings);
    }
    try (store) {
      System.out.println(name + " on " + settings.storagePath().toAbsolutePath().normalize());
      Components components =
          Components.build(
              store, settings, clock, FillPolicy.DEFAULT, c -> OkHttpUpstream.create(c, clock));
      chore.accept(components.maintenance(), System.out);
      return 0;
    }
  }

  private int throughServer(StevedoreConfig settings) throws Exception {
    String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
    URI uri = URI.create("http://" + host + ":" + settings.port() + "/_stevedore/" + name);
    System.out.println("the store is in use: asking the server at " + uri);
    HttpResponse<InputStream> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      lines.lines().forEach(System.out::println);
    }
    return response.statusCode() == 200 ? 0 : 1;
  }
}
