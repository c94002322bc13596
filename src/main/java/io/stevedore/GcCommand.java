package io.stevedore;

import java.io.PrintStream;
import picocli.CommandLine.Command;

/** {@code stevedore gc}: evict down to the quota and give the space back now. */
@Command(name = "gc", description = "Evict above the quota and reclaim disk space now.")
final class GcCommand extends MaintenanceCommand {
  @Override
  String name() {
    return "gc";
  }

  @Override
  void run(Components components, PrintStream out) {
    components.maintenance().gc(out::println);
  }
}
