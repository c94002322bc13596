package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "bytes=0-9                       | 10  | 0  | 9",
        "bytes=0-0                       | 10  | 0  | 0",
        "bytes=3-5                       | 10  | 3  | 5",
        "bytes=9-9                       | 10  | 9  | 9",
        "bytes=0-999999                  | 10  | 0  | 9",
        "bytes=5-                        | 10  | 5  | 9",
        "bytes=0-                        | 10  | 0  | 9",
        "bytes=-3                        | 10  | 7  | 9",
        "bytes=-10                       | 10  | 0  | 9",
        "bytes=-1000                     | 10  | 0  | 9",
        "bytes=-1                        | 1   | 0  | 0",
        "BYTES=1-2                       | 10  | 1  | 2",
        "' bytes=1-2 '                   | 10  | 1  | 2",
        "'bytes= 1-2 '                   | 10  | 1  | 2",
        "'bytes=1-2,'                    | 10  | 1  | 2",
        "bytes=0-99999999999999999999    | 10  | 0  | 9",
        "bytes=-99999999999999999999     | 10  | 0  | 9",
        "bytes=00-09                     | 10  | 0  | 9",
        "bytes=4294967296-               | 8589934592 | 4294967296 | 8589934591"
      })
  void resolve_satisfiableRange_givesTheClippedSlice(
      String header, long size, long first, long last) {
    ByteRange.Slice slice = ByteRange.parse(header).orElseThrow().resolve(size);

    assertThat(slice).isEqualTo(new ByteRange.Slice(first, last));
    assertThat(slice.length()).isEqualTo(last - first + 1);
  }

  @Test
  void parse_eachForm_givesItsKind() {
    assertThat(ByteRange.parse("bytes=1-2")).contains(new ByteRange.Span(1, 2));
    assertThat(ByteRange.parse("bytes=1-")).contains(new ByteRange.Span(1, Long.MAX_VALUE));
    assertThat(ByteRange.parse("bytes=-2")).contains(new ByteRange.Suffix(2));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "   ",
        "items=0-1",
        "none",
        "bytes=0-1,5-6",
        "bytes=0-1, 5-6",
        "bytes=-1,0-0",
        "bytes=0-,0-"
      })
  void parse_absentForeignUnitOrMultiRange_servesTheWholeBody(String header) {
    assertThat(ByteRange.parse(header)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bytes",
        "bytes=",
        "bytes=,",
        "bytes=-",
        "bytes=abc",
        "bytes=a-b",
        "bytes=5-2",
        "bytes=1",
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes=-+1",
        "bytes=1 -2",
        "bytes=0x10-",
        "bytes=١-٢",
        "bytes=1-2,x",
        "bytes=1.5-2"
      })
  void parse_malformedBytesRange_isRangeInvalid(String header) {
    assertThatThrownBy(() -> ByteRange.parse(header))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.RANGE_INVALID);
              assertThat(e.status()).isEqualTo(416);
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "bytes=10-    | 10",
        "bytes=10-20  | 10",
        "bytes=0-     | 0",
        "bytes=0-0    | 0",
        "bytes=-0     | 10",
        "bytes=-5     | 0",
        "bytes=99999999999999999999- | 10"
      })
  void resolve_unsatisfiableRange_is416(String header, long size) {
    ByteRange range = ByteRange.parse(header).orElseThrow();

    assertThatThrownBy(() -> range.resolve(size))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.RANGE_INVALID);
              assertThat(e.status()).isEqualTo(416);
              assertThat(e).hasMessageContaining("not satisfiable");
            });
  }

  @Test
  void contentRange_isInclusiveWithTheCompleteLength() {
    assertThat(new ByteRange.Slice(0, 9).contentRange(10)).isEqualTo("bytes 0-9/10");
    assertThat(ByteRange.parse("bytes=-3").orElseThrow().resolve(10).contentRange(10))
        .isEqualTo("bytes 7-9/10");
  }

  @Test
  void unsatisfiedContentRange_namesOnlyTheCompleteLength() {
    assertThat(ByteRange.unsatisfiedContentRange(10)).isEqualTo("bytes */10");
  }

  @Test
  void parse_hugeNotANumber_hasAShortMessage() {
    // Found by fuzzing: the message quoted the whole bad number, as long as the header.
    String header = "bytes=" + "9".repeat(100_000) + "x-";

    assertThatThrownBy(() -> ByteRange.parse(header))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.RANGE_INVALID);
              assertThat(e.getMessage()).hasSizeLessThan(400);
            });
  }

  @Test
  void slice_withLastBeforeFirst_isRejected() {
    assertThatThrownBy(() -> new ByteRange.Slice(5, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
