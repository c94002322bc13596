package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.OkHttp;
import org.junit.jupiter.api.Test;

class OkHttpVersionTest {

  /** The Helidon parent pins OkHttp 4 unless the pom overrides it; the build would still pass. */
  @Test
  void okHttp_isVersion5() {
    System.out.println("OkHttp " + OkHttp.VERSION);
    assertThat(OkHttp.VERSION).startsWith("5.");
  }
}
