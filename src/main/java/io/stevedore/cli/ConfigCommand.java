package io.stevedore.cli;

import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.yaml.EffectiveConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code stevedore config}: work with the config file without starting anything. */
@Command(
    name = "config",
    description = "Work with the config file.",
    subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name one: check");
  }

  /**
   * {@code stevedore config check}: loads the file as {@code serve} would (the same refusals) and
   * prints the configuration it would run with, defaults filled in and secrets masked.
   */
  @Command(
      name = "check",
      description =
          "Check the config file as serve would, and print the effective configuration"
              + " (defaults filled in, secrets masked).")
  static final class Check implements Callable<Integer> {
    @Mixin ConfigOption config;

    @Override
    public Integer call() {
      StevedoreConfig settings = config.load();
      System.out.print(EffectiveConfig.yaml(settings));
      System.err.println("stevedore: " + config.path() + " is valid");
      return 0;
    }
  }
}
