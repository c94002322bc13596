package io.stevedore.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * The {@code Link} header reader on any header value: it never fails; a next page it finds is the
 * link resolved against the request; and a {@code rel="next"} link appended to a header without
 * links of its own is always the one found.
 */
class LinkHeaderFuzzTest {
  private static final HttpUrl BASE = HttpUrl.get("http://127.0.0.1:5000/v2/a/tags/list?n=2");

  @FuzzTest
  void next(byte[] input) {
    String header = new String(input, StandardCharsets.ISO_8859_1);
    Optional<HttpUrl> next = LinkHeader.next(header, BASE);

    next.ifPresent(url -> assertThat(url.scheme()).isIn("http", "https"));
    if (header.indexOf('<') < 0 && header.indexOf('>') < 0) {
      String target = header.strip();
      String appended = header + ", <" + target + ">; rel=\"next\"";
      assertThat(LinkHeader.next(appended, BASE))
          .isEqualTo(Optional.ofNullable(BASE.resolve(target)));
    }
  }
}
