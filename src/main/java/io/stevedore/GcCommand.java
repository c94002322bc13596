package io.stevedore;

import picocli.CommandLine.Command;

/** {@code stevedore gc}: evict down to the quota and give the space back now. */
@Command(name = "gc", description = "Evict above the quota and reclaim disk space now.")
final class GcCommand extends MaintenanceCommand {
  GcCommand() {
    super("gc", (maintenance, out) -> maintenance.gc(out::println));
  }
}
