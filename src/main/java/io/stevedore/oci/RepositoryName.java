package io.stevedore.oci;

import java.util.regex.Pattern;

/**
 * A repository name as the distribution spec defines it: lower-case path components separated by
 * slashes, at most 255 characters.
 */
public record RepositoryName(String value) {
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  private static final int MAX_LENGTH = 255;

  public RepositoryName {
    if (value == null || value.isEmpty()) {
      throw RegistryException.nameInvalid("repository name is empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw RegistryException.nameInvalid(
          "repository name is longer than " + MAX_LENGTH + " characters");
    }
    if (!NAME.matcher(value).matches()) {
      throw RegistryException.nameInvalid("invalid repository name: " + Digest.abbreviate(value));
    }
  }

  public static RepositoryName parse(String value) {
    return new RepositoryName(value);
  }

  /** Whether the name is a single path component, e.g. {@code alpine}. */
  public boolean singleSegment() {
    return value.indexOf('/') < 0;
  }

  /** Docker Hub's official images live under {@code library/}: {@code alpine -> library/alpine}. */
  public RepositoryName withDockerHubLibrary() {
    return singleSegment() ? new RepositoryName("library/" + value) : this;
  }

  @Override
  public String toString() {
    return value;
  }
}
