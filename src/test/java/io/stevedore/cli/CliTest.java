package io.stevedore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when the config file is wrong: one line saying why, and exit code 2. */
class CliTest {
  @TempDir Path dir;

  @Test
  void everyCommand_refusesAMissingConfig_withTheReason_andExitCode2() throws Exception {
    Path missing = dir.resolve("nope.yaml");
    for (String command : new String[] {"serve", "gc", "verify", "import"}) {
      String[] args =
          command.equals("import")
              ? new String[] {command, "--config", missing.toString(), "bundle.tar"}
              : new String[] {command, "--config", missing.toString()};
      Run run = run(args);
      assertThat(run.exit()).as(command).isEqualTo(2);
      assertThat(run.err())
          .as(command)
          .startsWith("stevedore: bad config: config file " + missing + " does not exist")
          .doesNotContain("Exception");
    }
  }

  @Test
  void aConfigThatIsNotYaml_isRefusedBeforeAnythingOpens() throws Exception {
    Path config = Files.writeString(dir.resolve("bad.yaml"), "server: [unclosed\n");

    Run run = run("gc", "--config", config.toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("is not valid YAML");
  }

  private record Run(int exit, String err) {}

  private static Run run(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = Cli.run(args);
      return new Run(exit, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }
}
