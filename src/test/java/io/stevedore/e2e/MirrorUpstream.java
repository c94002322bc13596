package io.stevedore.e2e;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * One entry of the mirror's {@code upstreams:} list.
 *
 * @param aliases registry hosts this upstream answers for ({@code ?ns=}, path prefix, Host)
 * @param tagFreshness how long a tag's digest is trusted before revalidation, e.g. {@code 5m}
 * @param username Basic / token-request user name, or null for an anonymous upstream
 * @param password written as {@code password:}, or null (then {@code passwordFile}, or the
 *     environment variable {@code UPSTREAMS_<i>_PASSWORD}, see {@link
 *     StevedoreProcess.Builder#env})
 * @param passwordFile written as {@code password-file:}, or null
 * @param extraYaml further keys of this entry, one {@code key: value} per line, unindented (for
 *     settings the harness does not model yet)
 */
public record MirrorUpstream(
    String name,
    URI url,
    List<String> aliases,
    boolean isDefault,
    String tagFreshness,
    String username,
    String password,
    Path passwordFile,
    String extraYaml) {

  /** An upstream with no aliases, not the default, tag freshness 5m, anonymous. */
  public static MirrorUpstream of(String name, URI url) {
    return new MirrorUpstream(name, url, List.of(), false, "5m", null, null, null, "");
  }

  public MirrorUpstream aliases(String... hosts) {
    return new MirrorUpstream(
        name,
        url,
        List.of(hosts),
        isDefault,
        tagFreshness,
        username,
        password,
        passwordFile,
        extraYaml);
  }

  public MirrorUpstream asDefault() {
    return new MirrorUpstream(
        name, url, aliases, true, tagFreshness, username, password, passwordFile, extraYaml);
  }

  public MirrorUpstream tagFreshness(String duration) {
    return new MirrorUpstream(
        name, url, aliases, isDefault, duration, username, password, passwordFile, extraYaml);
  }

  /** {@code username} and {@code password} in the config file. */
  public MirrorUpstream credentials(String user, String secret) {
    return new MirrorUpstream(
        name, url, aliases, isDefault, tagFreshness, user, secret, null, extraYaml);
  }

  /** {@code username} and {@code password-file}: the password is read from {@code file}. */
  public MirrorUpstream credentialsFromFile(String user, Path file) {
    return new MirrorUpstream(
        name, url, aliases, isDefault, tagFreshness, user, null, file, extraYaml);
  }

  /**
   * Only {@code username} in the config file; the password must come from the mirror's environment
   * ({@code UPSTREAMS_<index>_PASSWORD}), or the mirror refuses to start.
   */
  public MirrorUpstream usernameOnly(String user) {
    return new MirrorUpstream(
        name, url, aliases, isDefault, tagFreshness, user, null, null, extraYaml);
  }

  public MirrorUpstream extraYaml(String yaml) {
    return new MirrorUpstream(
        name, url, aliases, isDefault, tagFreshness, username, password, passwordFile, yaml);
  }

  /** This entry as a YAML list item, indented for the {@code upstreams:} key. */
  String toYaml() {
    StringBuilder yaml = new StringBuilder();
    yaml.append("  - name: ").append(name).append('\n');
    yaml.append("    url: ").append(url).append('\n');
    yaml.append("    aliases: [").append(String.join(", ", aliases)).append("]\n");
    yaml.append("    default: ").append(isDefault).append('\n');
    yaml.append("    tag-freshness: ").append(tagFreshness).append('\n');
    if (username != null) {
      yaml.append("    username: ").append(quoted(username)).append('\n');
    }
    if (password != null) {
      yaml.append("    password: ").append(quoted(password)).append('\n');
    }
    if (passwordFile != null) {
      yaml.append("    password-file: ")
          .append(quoted(passwordFile.toAbsolutePath().toString()))
          .append('\n');
    }
    extraYaml.lines().forEach(line -> yaml.append("    ").append(line).append('\n'));
    return yaml.toString();
  }

  /** A YAML double-quoted scalar, so passwords with {@code : # ! "} stay one string. */
  private static String quoted(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
