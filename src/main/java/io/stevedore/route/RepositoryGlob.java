package io.stevedore.route;

import java.util.regex.Pattern;

/**
 * A repository-name pattern: {@code *} matches within one path segment, {@code **} across segments,
 * {@code ?} one character; everything else literally. {@code library/*} matches {@code
 * library/alpine} but not {@code library/a/b}; {@code team/**} matches everything under team.
 * Upstreams' allow and deny lists and the client access rules both use it.
 */
public record RepositoryGlob(String glob, Pattern pattern) {

  public static RepositoryGlob parse(String glob) {
    if (glob == null || glob.isBlank()) {
      throw new IllegalArgumentException("a repository pattern must not be empty");
    }
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new RepositoryGlob(glob, Pattern.compile(regex.toString()));
  }

  public boolean matches(String repository) {
    return pattern.matcher(repository).matches();
  }
}
