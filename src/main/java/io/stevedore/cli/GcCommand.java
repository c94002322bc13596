package io.stevedore.cli;

import io.stevedore.ops.Operator;
import java.io.PrintStream;
import picocli.CommandLine.Command;

/** {@code stevedore gc}: evict down to the quota and give the space back now. */
@Command(name = "gc", description = "Evict above the quota and reclaim disk space now.")
final class GcCommand extends OperatorCommand {
  @Override
  String name() {
    return "gc";
  }

  @Override
  void run(Operator operator, PrintStream out) {
    operator.gc(out::println);
  }
}
