package io.stevedore;

import java.io.PrintStream;
import picocli.CommandLine.Command;

/** {@code stevedore verify}: re-hash everything stored and remove what is corrupted. */
@Command(
    name = "verify",
    description = "Re-hash every stored blob and manifest; remove the corrupted ones.")
final class VerifyCommand extends MaintenanceCommand {
  @Override
  String name() {
    return "verify";
  }

  @Override
  void run(Components components, PrintStream out) {
    components.maintenance().verify(out::println);
  }
}
