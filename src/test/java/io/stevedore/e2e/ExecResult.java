package io.stevedore.e2e;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** What a finished external command left behind; {@link #requireSuccess()} fails with it all. */
public record ExecResult(List<String> command, int exitCode, byte[] stdoutBytes, String stderr) {

  public String stdout() {
    return new String(stdoutBytes, StandardCharsets.UTF_8);
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Throws with the command line and both outputs, so a CI log alone explains a failure. */
  public ExecResult requireSuccess() {
    if (exitCode != 0) {
      throw new AssertionError(describe("failed"));
    }
    return this;
  }

  public String describe(String what) {
    return "command "
        + what
        + " (exit "
        + exitCode
        + "): "
        + String.join(" ", command)
        + "\n--- stdout ---\n"
        + Exec.abbreviate(stdout())
        + "\n--- stderr ---\n"
        + Exec.abbreviate(stderr);
  }
}
