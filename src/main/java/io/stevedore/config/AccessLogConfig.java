package io.stevedore.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The access log: a JSON line per request.
 *
 * @param file where the lines go; standard output when empty
 */
public record AccessLogConfig(boolean enabled, Optional<Path> file) {
  public static final AccessLogConfig STDOUT = new AccessLogConfig(true, Optional.empty());
  public static final AccessLogConfig OFF = new AccessLogConfig(false, Optional.empty());
}
