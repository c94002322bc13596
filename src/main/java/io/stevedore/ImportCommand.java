package io.stevedore;

import io.stevedore.bundle.Importer;
import io.stevedore.cache.FillPolicy;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.store.Store;
import io.stevedore.store.StoreLockedException;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.upstream.OkHttpUpstream;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code stevedore import}: load an OCI image-layout archive into the cache, verified. */
@Command(
    name = "import",
    description = "Load an OCI image-layout archive into the cache, verified, and pin its images.")
final class ImportCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Parameters(index = "0", description = "The archive (a tar written by export or skopeo).")
  Path archive;

  @Override
  public Integer call() throws Exception {
    Optional<StevedoreConfig> settings = config.load();
    if (settings.isEmpty()) {
      return 2;
    }
    Clock clock = Clock.systemUTC();
    try (Store store = RocksStore.open(settings.get().storagePath());
        InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 20)) {
      Components components =
          Components.build(
              store,
              settings.get(),
              clock,
              FillPolicy.DEFAULT,
              c -> OkHttpUpstream.create(c, clock));
      new Importer(store, components.router(), clock).importArchive(in, System.out::println);
      return 0;
    } catch (StoreLockedException e) {
      return AdminClient.of(settings.get()).stream(
          "import", HttpRequest.BodyPublishers.ofFile(archive));
    } catch (RuntimeException | java.io.IOException e) {
      System.err.println("stevedore: import failed: " + e.getMessage());
      return 1;
    }
  }
}
