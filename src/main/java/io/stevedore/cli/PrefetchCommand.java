package io.stevedore.cli;

import io.stevedore.ops.Operator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore prefetch}: pull images into the cache and pin them. */
@Command(
    name = "prefetch",
    description = "Pull images into the cache, verified, and pin them against eviction.")
final class PrefetchCommand extends OperatorCommand {
  @Option(
      names = "--platform",
      split = ",",
      description = "Platforms to keep from multi-platform images, e.g. linux/amd64 (default all).")
  List<String> platforms = new ArrayList<>();

  @Option(names = "--file", description = "A file with one image reference per line.")
  Path file;

  @Parameters(description = "Images, e.g. team/app:1.0, ghcr.io/org/app@sha256:...")
  List<String> images = new ArrayList<>();

  @Override
  String name() {
    return "prefetch";
  }

  @Override
  void run(Operator operator, PrintStream out) {
    operator.prefetch(allImages(), Set.copyOf(platforms), out::println);
  }

  @Override
  String query() {
    return platforms.isEmpty()
        ? ""
        : "?platform=" + URLEncoder.encode(String.join(",", platforms), StandardCharsets.UTF_8);
  }

  @Override
  HttpRequest.BodyPublisher body() {
    return HttpRequest.BodyPublishers.ofString(String.join("\n", allImages()));
  }

  private List<String> allImages() {
    Set<String> all = new LinkedHashSet<>(images);
    if (file != null) {
      try {
        Files.readAllLines(file).stream()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .forEach(all::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return List.copyOf(all);
  }
}
