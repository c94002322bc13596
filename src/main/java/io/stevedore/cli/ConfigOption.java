package io.stevedore.cli;

import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.yaml.ConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option every command takes, and reading that file. */
final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      defaultValue = "conf/stevedore.yaml",
      description = "The config file (default: ${DEFAULT-VALUE}).")
  Path config;

  /**
   * The config.
   *
   * @throws ConfigLoader.ConfigException saying what is wrong with it; {@link Cli} prints that and
   *     exits with 2
   */
  /** The file {@link #load()} reads. */
  Path path() {
    return config;
  }

  StevedoreConfig load() {
    return ConfigLoader.load(config, System.getenv());
  }
}
