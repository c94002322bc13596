package io.stevedore.e2e;

import java.net.URI;
import java.util.List;

/**
 * One entry of the mirror's {@code upstreams:} list.
 *
 * @param aliases registry hosts this upstream answers for ({@code ?ns=}, path prefix, Host)
 * @param tagFreshness how long a tag's digest is trusted before revalidation, e.g. {@code 5m}
 * @param extraYaml further keys of this entry, one {@code key: value} per line, unindented (for
 *     settings the harness does not model yet, such as credentials)
 */
public record MirrorUpstream(
    String name,
    URI url,
    List<String> aliases,
    boolean isDefault,
    String tagFreshness,
    String extraYaml) {

  /** An upstream with no aliases, not the default, tag freshness 5m. */
  public static MirrorUpstream of(String name, URI url) {
    return new MirrorUpstream(name, url, List.of(), false, "5m", "");
  }

  public MirrorUpstream aliases(String... hosts) {
    return new MirrorUpstream(name, url, List.of(hosts), isDefault, tagFreshness, extraYaml);
  }

  public MirrorUpstream asDefault() {
    return new MirrorUpstream(name, url, aliases, true, tagFreshness, extraYaml);
  }

  public MirrorUpstream tagFreshness(String duration) {
    return new MirrorUpstream(name, url, aliases, isDefault, duration, extraYaml);
  }

  public MirrorUpstream extraYaml(String yaml) {
    return new MirrorUpstream(name, url, aliases, isDefault, tagFreshness, yaml);
  }

  /** This entry as a YAML list item, indented for the {@code upstreams:} key. */
  String toYaml() {
    StringBuilder yaml = new StringBuilder();
    yaml.append("  - name: ").append(name).append('\n');
    yaml.append("    url: ").append(url).append('\n');
    yaml.append("    aliases: [").append(String.join(", ", aliases)).append("]\n");
    yaml.append("    default: ").append(isDefault).append('\n');
    yaml.append("    tag-freshness: ").append(tagFreshness).append('\n');
    extraYaml.lines().forEach(line -> yaml.append("    ").append(line).append('\n'));
    return yaml.toString();
  }
}
