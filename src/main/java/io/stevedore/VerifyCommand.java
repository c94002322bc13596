package io.stevedore;

import picocli.CommandLine.Command;

/** {@code stevedore verify}: re-hash everything stored and remove what is corrupted. */
@Command(
    name = "verify",
    description = "Re-hash every stored blob and manifest; remove the corrupted ones.")
final class VerifyCommand extends MaintenanceCommand {
  VerifyCommand() {
    super("verify", (maintenance, out) -> maintenance.verify(out::println));
  }
}
