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

  @Test
  void configCheck_ofTheShippedConfig_passes_andPrintsItWithSecretsMasked() throws Exception {
    Path secret = Files.writeString(dir.resolve("token"), "t0ken-never-shown\n");
    Path config =
        Files.writeString(
            dir.resolve("stevedore.yaml"),
            Files.readString(Path.of("conf/stevedore.yaml"))
                .replace("# username: someone", "username: someone")
                .replace("# password: secret", "password: hunter2-never-shown")
                .replace("# token-file: /run/secrets/stevedore-admin", "token-file: " + secret));

    Run shipped = run("config", "check", "--config", "conf/stevedore.yaml");
    Run withSecrets = run("config", "check", "--config", config.toString());

    assertThat(shipped.exit()).as(shipped.err()).isZero();
    assertThat(shipped.out()).contains("port: 5000").contains("tag-freshness: 5m");
    assertThat(withSecrets.exit()).as(withSecrets.err()).isZero();
    assertThat(withSecrets.out())
        .contains("username: someone")
        .contains("password: '********'")
        .contains("token-file: '********'")
        .doesNotContain("hunter2-never-shown")
        .doesNotContain("t0ken-never-shown");
  }

  @Test
  void configCheck_ofAFileWithAnUnknownKey_failsNamingIt() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("typo.yaml"),
            "storage:\n  max_size: 1GiB\nupstreams:\n  - name: a\n    url: http://x\n");

    Run run = run("config", "check", "--config", config.toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("storage.max_size: unknown key; did you mean max-size?");
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = Cli.run(args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }
}
