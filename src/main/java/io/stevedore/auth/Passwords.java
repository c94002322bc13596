package io.stevedore.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * Checks a user's password against the htpasswd file's bcrypt hash.
 *
 * <p>bcrypt is slow on purpose (milliseconds at cost 5, a tenth of a second at 10), and a pull in
 * Basic mode sends the password with each of its dozens of requests, so a success is remembered for
 * {@link #REMEMBER}, keyed by an HMAC of user and password under a key that lives only in this
 * process: the password itself is never kept. A remembered success counts only while the user's
 * hash in the file is the one it was checked against, so a changed password or a removed user takes
 * effect at once. Failures are not remembered: each costs a bcrypt, which slows guessing.
 */
final class Passwords {
  static final Duration REMEMBER = Duration.ofMinutes(5);
  private static final int MAX_REMEMBERED = 10_000;

  /** Checked for unknown users, so that they take as long as known ones (cost 5, as htpasswd). */
  private static final String DUMMY_HASH =
      "$2y$05$l4wtn/ynqtEzkdAfgMF2fenQfHgSLEen1Zj0pITFSiO0f6lhB8MAW";

  private final HtpasswdFile file;
  private final Clock clock;
  private final BiPredicate<String, String> bcrypt;
  private final HmacSha256 rememberKey = HmacSha256.random();
  private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

  private record Remembered(String hash, Instant until) {}

  Passwords(HtpasswdFile file, Clock clock) {
    this(file, clock, Passwords::bcrypt);
  }

  /** With {@code bcrypt(password, hash)} of the caller's choosing: tests count the calls. */
  Passwords(HtpasswdFile file, Clock clock, BiPredicate<String, String> bcrypt) {
    this.file = file;
    this.clock = clock;
    this.bcrypt = bcrypt;
  }

  /** Whether {@code password} is {@code user}'s. */
  boolean matches(String user, String password) {
    Optional<String> hash = file.users().hash(user);
    if (hash.isEmpty()) {
      bcrypt.test(password, DUMMY_HASH);
      return false;
    }
    String key = rememberKey(user, password);
    Instant now = clock.instant();
    Remembered known = remembered.get(key);
    if (known != null && known.hash().equals(hash.get()) && now.isBefore(known.until())) {
      return true;
    }
    if (!bcrypt.test(password, hash.get())) {
      return false;
    }
    if (remembered.size() >= MAX_REMEMBERED) {
      remembered.clear(); // bounded memory; the next requests pay one bcrypt each
    }
    remembered.put(key, new Remembered(hash.get(), now.plus(REMEMBER)));
    return true;
  }

  /**
   * bcrypt as htpasswd and OpenBSD have it: passwords past 72 bytes are cut there (the library's
   * "none" strategy leaves that to the algorithm, which is what htpasswd's hashes were made with).
   */
  static boolean bcrypt(String password, String hash) {
    return BCrypt.verifyer(BCrypt.Version.VERSION_2Y, LongPasswordStrategies.none())
        .verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.US_ASCII))
        .verified;
  }

  private String rememberKey(String user, String password) {
    return HexFormat.of()
        .formatHex(
            rememberKey.sign(
                user.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8)));
  }
}
