package io.stevedore.oci;

import static io.stevedore.oci.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * ByteRange on any {@code Range} header and blob size: RANGE_INVALID (416) or a range that resolves
 * to bytes inside the blob, selecting exactly what RFC 9110 says, and that reads back the same when
 * written as {@code bytes=first-last}.
 *
 * <p>Input: the blob size in decimal on the first line (saturating), the header after it.
 */
class ByteRangeFuzzTest {

  @FuzzTest
  void parseAndResolve(byte[] input) {
    String text = new String(input, StandardCharsets.ISO_8859_1);
    int newline = text.indexOf('\n');
    long size = newline < 0 ? 0 : digits(text.substring(0, newline));
    String header = text.substring(newline + 1);

    Optional<ByteRange> parsed;
    try {
      parsed = ByteRange.parse(header);
    } catch (RegistryException e) {
      assertRejected(e, ErrorCode.RANGE_INVALID, 416);
      assertThat(header.strip().toLowerCase(Locale.ROOT)).startsWith("bytes");
      return;
    }
    if (parsed.isEmpty()) {
      return;
    }
    ByteRange range = parsed.get();
    ByteRange.Slice slice;
    try {
      slice = range.resolve(size);
    } catch (RegistryException e) {
      assertRejected(e, ErrorCode.RANGE_INVALID, 416);
      switch (range) {
        case ByteRange.Span span -> assertThat(span.first()).isGreaterThanOrEqualTo(size);
        case ByteRange.Suffix suffix ->
            assertThat(suffix.length() == 0 || size == 0).as("empty suffix or blob").isTrue();
      }
      return;
    }
    assertThat(slice.first()).isBetween(0L, slice.last());
    assertThat(slice.last()).isLessThan(size);
    assertThat(slice.length()).isBetween(1L, size);
    switch (range) {
      case ByteRange.Span span -> {
        assertThat(slice.first()).isEqualTo(span.first());
        assertThat(slice.last()).isEqualTo(Math.min(span.last(), size - 1));
      }
      case ByteRange.Suffix suffix -> {
        assertThat(slice.last()).isEqualTo(size - 1);
        assertThat(slice.length()).isEqualTo(Math.min(suffix.length(), size));
      }
    }
    assertThat(slice.contentRange(size))
        .isEqualTo("bytes " + slice.first() + "-" + slice.last() + "/" + size);
    String written = "bytes=" + slice.first() + "-" + slice.last();
    assertThat(ByteRange.parse(written).orElseThrow().resolve(size)).isEqualTo(slice);
  }

  /** The decimal digits of {@code line} as a number, saturating at Long.MAX_VALUE. */
  private static long digits(String line) {
    long value = 0;
    for (char c : line.toCharArray()) {
      if (c >= '0' && c <= '9') {
        value = value > (Long.MAX_VALUE - (c - '0')) / 10 ? Long.MAX_VALUE : value * 10 + c - '0';
      }
    }
    return value;
  }
}
