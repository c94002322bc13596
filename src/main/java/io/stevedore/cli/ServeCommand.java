package io.stevedore.cli;

import io.stevedore.app.Stevedore;
import io.stevedore.config.StevedoreConfig;
import io.stevedore.store.StoreLockedException;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code stevedore serve}: runs the mirror until the process is told to stop. */
@Command(name = "serve", description = "Serve the registry mirror.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(ServeCommand.class.getName());

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    StevedoreConfig settings = config.load();
    Stevedore stevedore;
    try {
      stevedore = Stevedore.start(settings, Clock.systemUTC());
    } catch (StoreLockedException | IllegalStateException e) {
      LOG.severe("Stevedore did not start: " + e.getMessage());
      return 1;
    }
    LOG.info(
        () ->
            "Stevedore serving on "
                + settings.host()
                + ":"
                + stevedore.port()
                + ", data in "
                + settings.storagePath().toAbsolutePath().normalize()
                + ", upstreams "
                + settings.upstreams().stream().map(u -> u.name() + "=" + u.url()).toList());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stevedore.close();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }
}
