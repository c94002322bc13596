package io.stevedore;

import io.stevedore.cache.FillPolicy;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.store.Store;
import io.stevedore.store.StoreLockedException;
import io.stevedore.store.rocks.RocksStore;
import io.stevedore.upstream.OkHttpUpstream;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore export}: prefetched images into an OCI image-layout archive. */
@Command(
    name = "export",
    description = "Write prefetched images from the cache into an OCI image-layout archive.")
final class ExportCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--out", required = true, description = "The archive to write (a tar).")
  Path out;

  @Parameters(arity = "1..*", description = "Images as they were prefetched, e.g. team/app:1.0")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    Optional<StevedoreConfig> settings = config.load();
    if (settings.isEmpty()) {
      return 2;
    }
    // Written beside the target and renamed at the end: a failed export leaves no half archive.
    Path partial = out.resolveSibling(out.getFileName() + ".partial");
    try {
      try (Store store = RocksStore.open(settings.get().storagePath());
          OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 20)) {
        Clock clock = Clock.systemUTC();
        Components.build(
                store,
                settings.get(),
                clock,
                FillPolicy.DEFAULT,
                c -> OkHttpUpstream.create(c, clock))
            .exporter()
            .export(images, file, System.out::println);
      } catch (StoreLockedException running) {
        if (!AdminClient.of(settings.get())
            .download("export", String.join("\n", images), partial)) {
          Files.deleteIfExists(partial);
          return 1;
        }
      }
    } catch (Exception e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING);
    System.out.println("wrote " + out + " (" + Files.size(out) + " bytes)");
    return 0;
  }
}
