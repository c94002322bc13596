package io.stevedore;

import io.helidon.logging.common.LogConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stevedore} command line. */
@Command(
    name = "stevedore",
    mixinStandardHelpOptions = true,
    version = "stevedore 0.1.0",
    description = "A pull-through mirror cache for OCI and Docker registries.",
    subcommands = {
      ServeCommand.class,
      GcCommand.class,
      VerifyCommand.class,
      PrefetchCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    LogConfig.configureRuntime();
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. serve");
  }
}
