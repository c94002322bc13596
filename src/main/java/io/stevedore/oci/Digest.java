package io.stevedore.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:<64 hex>}. Parsed strictly: a known algorithm and lower
 * case hex of exactly the algorithm's length, so a digest can be used in store keys and URLs as is.
 */
public record Digest(Algorithm algorithm, String hex) {

  /** The digest algorithms a registry may use; both are verified while streaming. */
  public enum Algorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String prefix;
    private final String jcaName;
    private final int hexLength;

    Algorithm(String prefix, String jcaName, int hexLength) {
      this.prefix = prefix;
      this.jcaName = jcaName;
      this.hexLength = hexLength;
    }

    public String prefix() {
      return prefix;
    }

    public int hexLength() {
      return hexLength;
    }

    /** A new hasher for this algorithm. */
    public MessageDigest newHasher() {
      try {
        return MessageDigest.getInstance(jcaName);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK lacks " + jcaName, e);
      }
    }
  }

  private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

  public Digest {
    if (algorithm == null || hex == null) {
      throw new IllegalArgumentException("digest needs an algorithm and hex");
    }
    if (hex.length() != algorithm.hexLength() || !HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "digest hex must be " + algorithm.hexLength() + " lower-case hex characters");
    }
  }

  /**
   * Parses {@code algorithm:hex}.
   *
   * @throws RegistryException with {@link ErrorCode#DIGEST_INVALID} when it is not a digest
   */
  public static Digest parse(String text) {
    if (text == null) {
      throw RegistryException.digestInvalid("no digest given");
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw RegistryException.digestInvalid("not a digest: " + abbreviate(text));
    }
    String prefix = text.substring(0, colon);
    for (Algorithm algorithm : Algorithm.values()) {
      if (algorithm.prefix().equals(prefix)) {
        try {
          return new Digest(algorithm, text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
          throw RegistryException.digestInvalid(
              "not a digest: " + abbreviate(text) + " (" + e.getMessage() + ")");
        }
      }
    }
    throw RegistryException.digestInvalid("unsupported digest algorithm: " + abbreviate(prefix));
  }

  /** Whether {@code text} parses as a digest. */
  public static boolean isDigest(String text) {
    try {
      parse(text);
      return true;
    } catch (RegistryException e) {
      return false;
    }
  }

  /** The sha256 digest of {@code content}. */
  public static Digest sha256(byte[] content) {
    return of(Algorithm.SHA256, Algorithm.SHA256.newHasher().digest(content));
  }

  /** The digest of {@code content} in this digest's algorithm. */
  public Digest recompute(byte[] content) {
    return of(algorithm, algorithm.newHasher().digest(content));
  }

  /** A digest from the raw bytes a hasher produced. */
  public static Digest of(Algorithm algorithm, byte[] hash) {
    return new Digest(algorithm, HexFormat.of().formatHex(hash));
  }

  @Override
  public String toString() {
    return algorithm.prefix() + ":" + hex;
  }

  static String abbreviate(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }
}
