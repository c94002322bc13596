package io.stevedore.cli;

import io.stevedore.config.StevedoreConfig;
import io.stevedore.config.yaml.ConfigLoader;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config} option every command takes, and reading that file. */
final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      defaultValue = "conf/stevedore.yaml",
      description = "The config file (default: ${DEFAULT-VALUE}).")
  Path config;

  /** The config, or empty after telling the user on stderr what is wrong with it. */
  Optional<StevedoreConfig> load() {
    try {
      return Optional.of(ConfigLoader.load(config, System.getenv()));
    } catch (ConfigLoader.ConfigException e) {
      System.err.println("stevedore: " + e.getMessage());
      return Optional.empty();
    }
  }
}
