package io.stevedore.cli;

import io.stevedore.config.yaml.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.logging.LogManager;
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
      ConfigCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Cli implements Runnable {
  /** The exit code when the config file is missing or wrong. */
  static final int CONFIG_REFUSED = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command {@code args} name; returns its exit code. */
  public static int run(String[] args) {
    configureLogging();
    return new CommandLine(new Cli())
        .setExecutionExceptionHandler(
            (e, command, parsed) -> {
              if (e instanceof ConfigLoader.ConfigException) {
                // A mistake in the user's file, not in Stevedore: the message, no stack trace.
                command.getErr().println("stevedore: " + e.getMessage());
                return CONFIG_REFUSED;
              }
              throw e;
            })
        .execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. serve");
  }

  /**
   * Logs as {@code logging.properties} in the jar says (one line per record, on stdout), unless the
   * user named a file of their own with {@code java.util.logging.config.file}.
   */
  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (InputStream properties = Cli.class.getResourceAsStream("/logging.properties")) {
      if (properties != null) {
        LogManager.getLogManager().readConfiguration(properties);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read logging.properties from the jar", e);
    }
  }
}
