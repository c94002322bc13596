package io.stevedore.perf;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs JMH with the given command line (any JMH option works; annotations give the defaults) and
 * writes a Markdown summary to the path in system property {@code jmh.report}: one row per
 * benchmark and parameter set, with bytes per second (MB = 10^6 bytes) where the benchmark counts
 * bytes. Listing and help go to JMH's own main unchanged.
 */
public final class Report {
  private Report() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions options = new CommandLineOptions(args);
    if (options.shouldHelp()
        || options.shouldList()
        || options.shouldListWithParams()
        || options.shouldListProfilers()
        || options.shouldListResultFormats()) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    Collection<RunResult> results = new Runner(options).run();
    Path report = Path.of(System.getProperty("jmh.report", "perf/results/jmh.md"));
    Files.createDirectories(report.toAbsolutePath().getParent());
    Files.writeString(report, markdown(results));
    System.out.println("wrote " + report);
  }

  private static String markdown(Collection<RunResult> results) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# JMH micro-benchmarks\n\n");
    md.append("Generated ")
        .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .append(" by `")
        .append(System.getenv().getOrDefault("JMH_COMMAND", "(command not recorded)"))
        .append("`.\n\n");
    md.append("- Machine: ").append(machine()).append('\n');
    md.append("- JVM: ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.vm.version"))
        .append(", UseSHA (SHA intrinsics)=")
        .append(vmOption("UseSHA"))
        .append('\n');
    String note = System.getenv("JMH_NOTE");
    if (note != null && !note.isBlank()) {
      md.append("- Note: ").append(note).append('\n');
    }
    md.append("\nErrors are JMH's 99.9% confidence half-widths over the measurement iterations.")
        .append(" MB/s = 10^6 bytes/s.\n\n");
    md.append("| benchmark | params | ops/s | ± | MB/s | ± |\n");
    md.append("|---|---|--:|--:|--:|--:|\n");
    for (RunResult result : results) {
      BenchmarkParams params = result.getParams();
      Result primary = result.getPrimaryResult();
      Result bytes = result.getSecondaryResults().get("bytes");
      String name = params.getBenchmark();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      String unit = primary.getScoreUnit().equals("ops/s") ? "" : " " + primary.getScoreUnit();
      md.append("| ")
          .append(name)
          .append(" | ")
          .append(params(params))
          .append(" | ")
          .append(number(primary.getScore()))
          .append(unit)
          .append(" | ")
          .append(number(primary.getScoreError()))
          .append(" | ")
          .append(bytes == null ? "" : number(bytes.getScore() / 1e6))
          .append(" | ")
          .append(bytes == null ? "" : number(bytes.getScoreError() / 1e6))
          .append(" |\n");
    }
    md.append(
        """

        ## What is measured

        - `ChunkReadBenchmark.readChunk`: `BlobStore.readChunk(digest, index, buffer)` of the real \
        store (one blob file, page cache), round-robin over a blob written through \
        `begin`/`write`/`commit`. Knob: `chunkSize` (`RocksStore.open(dir, chunkSize)`, default \
        1 MiB).
        - `Sha256Benchmark.update`: `MessageDigest.update` of one buffer of `bufferSize`. \
        `fillHashing`: what `FillTask` does per blob (new hasher, one `update` per chunk, \
        `Digest.of(digest())`, compare) for 16 chunks of `bufferSize`.
        - `ManifestCacheHitBenchmark`: `ManifestCache.get` within tag freshness, by tag and by \
        digest, with a RocksDB store behind it; the upstream stub fails the run if it was called \
        more than once (the setup's miss). No HTTP.
        """);
    return md.toString();
  }

  private static String params(BenchmarkParams params) {
    List<String> parts = new ArrayList<>();
    for (String key : params.getParamsKeys()) {
      parts.add(key + "=" + params.getParam(key));
    }
    if (params.getThreads() != 1) {
      parts.add("threads=" + params.getThreads());
    }
    return String.join(" ", parts);
  }

  private static String number(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    return value >= 100
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.3g", value);
  }

  private static String machine() throws IOException {
    int cores = Runtime.getRuntime().availableProcessors();
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return cores + " cores";
    }
    List<String> lines = Files.readAllLines(cpuinfo);
    String model =
        lines.stream()
            .filter(l -> l.startsWith("model name"))
            .findFirst()
            .map(l -> l.substring(l.indexOf(':') + 1).strip())
            .orElse("unknown CPU");
    Map<Boolean, List<String>> sha =
        lines.stream()
            .filter(l -> l.startsWith("flags"))
            .limit(1)
            .collect(Collectors.partitioningBy(l -> l.contains(" sha_ni")));
    return cores + " cores, " + model + (sha.get(true).isEmpty() ? ", no SHA-NI" : ", SHA-NI");
  }

  private static String vmOption(String name) {
    try {
      return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .getVMOption(name)
          .getValue();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }
}
