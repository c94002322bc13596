package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition, as a scraper would. */
final class MetricsText {
  private MetricsText() {}

  /** The node's {@code /metrics}, as a scraper gets them (the answer must be 200). */
  static String scrape(StevedoreProcess node) {
    HttpResponse<byte[]> response = RegistryHttp.send("GET", node.url().resolve("/metrics"), null);
    assertThat(response.statusCode()).as("GET /metrics of %s", node.url()).isEqualTo(200);
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** The sum of a metric's samples whose labels include {@code labels}. */
  static long sum(String text, String name, Map<String, String> labels) {
    Pattern sample =
        Pattern.compile("^" + name + "(\\{([^}]*)\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE);
    Matcher m = sample.matcher(text);
    double total = 0;
    while (m.find()) {
      String found = m.group(2) == null ? "" : m.group(2);
      boolean matches =
          labels.entrySet().stream()
              .allMatch(l -> found.contains(l.getKey() + "=\"" + l.getValue() + "\""));
      if (matches) {
        total += Double.parseDouble(m.group(3));
      }
    }
    return Math.round(total);
  }
}
