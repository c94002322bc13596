package io.stevedore.cli;

import io.stevedore.ops.Operator;
import java.io.PrintStream;
import picocli.CommandLine.Command;

/** {@code stevedore verify}: re-hash everything stored and remove what is corrupted. */
@Command(
    name = "verify",
    description = "Re-hash every stored blob and manifest; remove the corrupted ones.")
final class VerifyCommand extends OperatorCommand {
  @Override
  String name() {
    return "verify";
  }

  @Override
  void run(Operator operator, PrintStream out) {
    operator.verify(out::println);
  }
}
