package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * AcceptList on any set of {@code Accept} headers: it never fails (malformed ranges are skipped),
 * several header lines mean the same as one comma-joined line (RFC 9110, section 5.3), an exact
 * {@code q=0} always excludes its type, and without any {@code q} parameter an exactly listed type
 * is always accepted.
 *
 * <p>Input: one header per line.
 */
class AcceptListFuzzTest {
  private static final List<String> TYPES =
      Stream.concat(
              MediaType.MANIFEST_TYPES.stream(),
              Stream.of(MediaType.OCTET_STREAM, "application/json", "text/plain"))
          .toList();

  @FuzzTest
  void parse(byte[] input) {
    List<String> headers = List.of(new String(input, StandardCharsets.ISO_8859_1).split("\n", -1));
    AcceptList accept = AcceptList.parse(headers);

    assertThat(accept.manifestTypes())
        .isEqualTo(MediaType.MANIFEST_TYPES.stream().filter(accept::accepts).toList());
    for (String type : TYPES) {
      boolean accepted = accept.accepts(type);
      assertThat(accept.accepts(type.toUpperCase(Locale.ROOT) + "; charset=utf-8"))
          .as("parameters and case of %s", type)
          .isEqualTo(accepted);
      if (headers.stream().noneMatch(h -> h.indexOf('"') >= 0)) {
        assertThat(AcceptList.parse(List.of(String.join(",", headers))).accepts(type))
            .as("%s with the headers joined into one", type)
            .isEqualTo(accepted);
      }
      assertThat(AcceptList.parse(with(headers, type + ";q=0")).accepts(type))
          .as("%s excluded by q=0", type)
          .isFalse();
      if (headers.stream().noneMatch(h -> h.indexOf('=') >= 0)) {
        assertThat(AcceptList.parse(with(headers, type)).accepts(type))
            .as("%s listed without q", type)
            .isTrue();
      }
    }
  }

  private static List<String> with(List<String> headers, String extra) {
    List<String> all = new ArrayList<>(headers);
    all.add(extra);
    return all;
  }
}
