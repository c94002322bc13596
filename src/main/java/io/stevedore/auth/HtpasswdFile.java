package io.stevedore.auth;

import io.stevedore.config.FileStamps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * The htpasswd file, read at start and again when it changes, so users are added or removed without
 * a restart. A change is noticed within {@link #RECHECK}; a changed file that cannot be used is
 * logged and the users read before stay in force (a half-written file must not lock everyone out).
 */
final class HtpasswdFile {
  private static final Logger LOG = Logger.getLogger(HtpasswdFile.class.getName());
  static final Duration RECHECK = Duration.ofSeconds(2);

  private final Path path;
  private final Clock clock;
  private Htpasswd users;
  private FileStamps version;
  private Instant checked;

  /**
   * Reads {@code path}.
   *
   * @throws IllegalStateException when it cannot be read or has an entry that cannot be used
   */
  HtpasswdFile(Path path, Clock clock) {
    this.path = path;
    this.clock = clock;
    try {
      this.version = version();
      this.users = read();
    } catch (IOException e) {
      throw new IllegalStateException("auth.htpasswd-file: cannot read " + path + ": " + e, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("auth.htpasswd-file: " + e.getMessage(), e);
    }
    this.checked = clock.instant();
  }

  /** The users as the file has them now (or as it last had them in a usable state). */
  synchronized Htpasswd users() {
    Instant now = clock.instant();
    if (now.isBefore(checked.plus(RECHECK))) {
      return users;
    }
    checked = now;
    try {
      FileStamps current = version();
      if (!current.equals(version)) {
        version = current;
        users = read();
        LOG.info(() -> "read " + users.size() + " users from " + path + " (it changed)");
      }
    } catch (IOException | IllegalArgumentException e) {
      LOG.warning(() -> "keeping the users read before: " + e.getMessage());
    }
    return users;
  }

  private FileStamps version() {
    return FileStamps.of(List.of(path));
  }

  private Htpasswd read() throws IOException {
    return Htpasswd.parse(Files.readString(path), path.toString());
  }
}
