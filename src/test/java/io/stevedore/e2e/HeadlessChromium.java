package io.stevedore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A page as a person sees it: the DOM after a real headless Chromium loaded it and ran its script.
 */
final class HeadlessChromium {
  private HeadlessChromium() {}

  /**
   * The DOM of {@code page} after its script ran (3 s of virtual time); a profile under the lab.
   */
  static String renderedDom(Lab lab, URI page) {
    ExecResult chromium =
        Exec.run(
            List.of(
                "chromium",
                "--headless",
                "--no-sandbox", // tests run as root, where Chromium's sandbox cannot start
                "--disable-gpu",
                "--user-data-dir=" + lab.path("chromium-profile-" + System.nanoTime()),
                "--virtual-time-budget=3000",
                "--dump-dom",
                page.toString()),
            Duration.ofSeconds(60));
    assertThat(chromium.exitCode()).as("chromium: %s", chromium.stderr()).isZero();
    return chromium.stdout();
  }
}
