package io.stevedore.auth;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The users of an htpasswd file: one {@code user:hash} per line, as {@code htpasswd -B} writes them
 * and distribution and Harbor read them. Only bcrypt hashes ({@code $2y$}, {@code $2a$}, {@code
 * $2b$}) are accepted: the others htpasswd can write (MD5, SHA-1, crypt, plain) are too weak to
 * keep, so a file with one is refused at load rather than half used. Error messages name the line
 * and the user, never the hash.
 */
final class Htpasswd {
  private final Map<String, String> hashes;

  private Htpasswd(Map<String, String> hashes) {
    this.hashes = Map.copyOf(hashes);
  }

  /**
   * Parses the file's text; blank lines and lines starting with {@code #} are skipped.
   *
   * @param source names the file in error messages
   * @throws IllegalArgumentException naming the line of the first entry that cannot be used
   */
  static Htpasswd parse(String text, String source) {
    Map<String, String> hashes = new HashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      int number = i + 1;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(source + " line " + number + ": not a user:hash entry");
      }
      String user = line.substring(0, colon);
      String hash = line.substring(colon + 1);
      if (!isBcrypt(hash)) {
        throw new IllegalArgumentException(
            source
                + " line "
                + number
                + " (user "
                + user
                + "): "
                + kind(hash)
                + " is not accepted; only bcrypt, as htpasswd -B writes it");
      }
      Integer earlier = lineOf.put(user, number);
      if (earlier != null) {
        throw new IllegalArgumentException(
            source + " line " + number + ": user " + user + " is already on line " + earlier);
      }
      hashes.put(user, hash);
    }
    return new Htpasswd(hashes);
  }

  /** The bcrypt hash of {@code user}, if the file has that user. */
  Optional<String> hash(String user) {
    return Optional.ofNullable(hashes.get(user));
  }

  int size() {
    return hashes.size();
  }

  /** {@code $2y$NN$} plus 53 characters of salt and hash, in bcrypt's base-64 alphabet. */
  private static boolean isBcrypt(String hash) {
    return hash.matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  }

  /** What the hash is, in words that reveal nothing of it. */
  private static String kind(String hash) {
    String lower = hash.toLowerCase(Locale.ROOT);
    if (lower.startsWith("$apr1$")) {
      return "an MD5 hash (htpasswd -m)";
    }
    if (lower.startsWith("{sha}")) {
      return "a SHA-1 hash (htpasswd -s)";
    }
    if (lower.startsWith("$5$") || lower.startsWith("$6$")) {
      return "a SHA-2 crypt hash";
    }
    if (lower.startsWith("$2")) {
      return "a malformed bcrypt hash";
    }
    return "a crypt or plain-text password";
  }
}
