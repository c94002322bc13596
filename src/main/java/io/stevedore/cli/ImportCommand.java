package io.stevedore.cli;

import io.stevedore.ops.Operator;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stevedore import}: load an OCI image-layout archive into the cache, verified. */
@Command(
    name = "import",
    description = "Load an OCI image-layout archive into the cache, verified, and pin its images.")
final class ImportCommand extends OperatorCommand {
  @Parameters(index = "0", description = "The archive (a tar written by export or skopeo).")
  Path archive;

  @Override
  String name() {
    return "import";
  }

  @Override
  void run(Operator operator, PrintStream out) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 20)) {
      operator.importArchive(in, out::println);
    } catch (IOException | RuntimeException e) {
      // The import said why in a "failed:" line, which sets the exit code.
    }
  }

  @Override
  HttpRequest.BodyPublisher body() throws IOException {
    return HttpRequest.BodyPublishers.ofFile(archive);
  }
}
