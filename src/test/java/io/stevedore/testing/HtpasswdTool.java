package io.stevedore.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Entries made by apache2-utils' {@code htpasswd -Bbn}, the tool operators use. */
public final class HtpasswdTool {
  private HtpasswdTool() {}

  /** {@code user:$2y$...} for {@code password}, at {@code htpasswd}'s default cost. */
  public static String bcryptEntry(String user, String password) {
    try {
      Process process =
          new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("htpasswd -Bbn failed: " + out);
      }
      return out.strip();
    } catch (IOException e) {
      throw new AssertionError("htpasswd (apache2-utils) is needed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
