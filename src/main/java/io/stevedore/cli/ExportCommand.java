package io.stevedore.cli;

import io.stevedore.ops.Operator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stevedore export}: prefetched images into an OCI image-layout archive. It is written
 * beside the target and renamed at the end: a failed export leaves no half archive.
 */
@Command(
    name = "export",
    description = "Write prefetched images from the cache into an OCI image-layout archive.")
final class ExportCommand extends OperatorCommand {
  @Option(names = "--out", required = true, description = "The archive to write (a tar).")
  Path out;

  @Parameters(arity = "1..*", description = "Images as they were prefetched, e.g. team/app:1.0")
  List<String> images;

  @Override
  String name() {
    return "export";
  }

  @Override
  public Integer call() throws Exception {
    int exit;
    try {
      exit = super.call();
    } catch (Exception e) {
      Files.deleteIfExists(partial());
      throw e;
    }
    if (exit != 0) {
      Files.deleteIfExists(partial());
      return exit;
    }
    Files.move(partial(), out, StandardCopyOption.REPLACE_EXISTING);
    System.out.println("wrote " + out + " (" + Files.size(out) + " bytes)");
    return 0;
  }

  @Override
  void run(Operator operator, PrintStream progress) throws IOException {
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial()), 1 << 20)) {
      operator.export(images, file, progress::println);
    }
  }

  @Override
  int throughServer(AdminClient admin) throws IOException, InterruptedException {
    return admin.download(name(), String.join("\n", images), partial()) ? 0 : 1;
  }

  private Path partial() {
    return out.resolveSibling(out.getFileName() + ".partial");
  }
}
