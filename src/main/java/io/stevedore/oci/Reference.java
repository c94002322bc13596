package io.stevedore.oci;

import java.util.regex.Pattern;

/** What a manifest request names: a tag or a digest. */
public sealed interface Reference {

  /** A mutable tag such as {@code 1.0} or {@code latest}. */
  record Tag(String name) implements Reference {
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public Tag {
      if (name == null || !TAG.matcher(name).matches()) {
        throw new RegistryException(
            ErrorCode.MANIFEST_INVALID,
            "not a tag: " + (name == null ? "null" : Digest.abbreviate(name)));
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** An immutable content digest. */
  record ByDigest(Digest digest) implements Reference {
    public ByDigest {
      if (digest == null) {
        throw new IllegalArgumentException("a digest reference needs a digest");
      }
    }

    @Override
    public String toString() {
      return digest.toString();
    }
  }

  /**
   * Parses a tag or (when it contains a colon) a digest.
   *
   * @throws RegistryException DIGEST_INVALID or MANIFEST_INVALID when it is neither
   */
  static Reference parse(String text) {
    if (text != null && text.indexOf(':') >= 0) {
      return new ByDigest(Digest.parse(text));
    }
    return new Tag(text);
  }
}
