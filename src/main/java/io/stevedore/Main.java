package io.stevedore;

import io.stevedore.cli.Cli;

/** Starts the {@code stevedore} command line ({@link Cli}). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Cli.run(args));
  }
}
