package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class LinkHeaderTest {
  private static final HttpUrl BASE = HttpUrl.get("http://127.0.0.1:5000/v2/a/tags/list?n=2");

  @Test
  void next_relativeLinkResolvedAgainstTheRequest() {
    assertThat(LinkHeader.next("</v2/a/tags/list?n=2&last=b>; rel=\"next\"", BASE))
        .contains(HttpUrl.get("http://127.0.0.1:5000/v2/a/tags/list?n=2&last=b"));
  }

  @Test
  void next_picksTheNextAmongSeveralLinks() {
    String header = "</v2/a/tags/list?last=a>; rel=\"prev\", </v2/a/tags/list?last=z>; rel=next";

    assertThat(LinkHeader.next(header, BASE).orElseThrow().queryParameter("last")).isEqualTo("z");
  }

  @Test
  void next_relListAndOtherParams() {
    assertThat(LinkHeader.next("</x?last=q>; type=\"a\"; rel=\"last NEXT\"", BASE)).isPresent();
  }

  @Test
  void next_absentWhenNoNextRel() {
    assertThat(LinkHeader.next(null, BASE)).isEmpty();
    assertThat(LinkHeader.next("</x?last=q>; rel=\"prev\"", BASE)).isEmpty();
    assertThat(LinkHeader.next("</x?last=q>; rel=\"nextpage\"", BASE)).isEmpty();
  }

  @Test
  void next_headerOfOpenBrackets_isReadInLinearTime() {
    // 256 KiB is OkHttp's limit for a response's headers. The quadratic pattern took 5 s for 16 KiB
    // and 100 s for 64 KiB here; linear takes milliseconds, so 10 s only bounds it.
    String header = "<".repeat(256 * 1024) + "; rel=next";

    assertThat(
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> LinkHeader.next(header, BASE)))
        .isEmpty();
  }
}
