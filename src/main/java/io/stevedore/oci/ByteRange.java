package io.stevedore.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One range of an HTTP {@code Range} header (RFC 9110, section 14.1.2), before the size of the blob
 * is known. Numbers too large for a long saturate, which reads as "to the end" or "beyond the end"
 * and so resolves the way the exact number would.
 */
public sealed interface ByteRange {

  /** {@code bytes=first-last}, or {@code bytes=first-} with {@code last == Long.MAX_VALUE}. */
  record Span(long first, long last) implements ByteRange {
    public Span {
      if (first < 0 || last < first) {
        throw new IllegalArgumentException(
            "a span needs 0 <= first <= last: " + first + "-" + last);
      }
    }

    @Override
    public Slice resolve(long size) {
      checkSize(size);
      if (first >= size) {
        throw unsatisfiable("range starts at " + first + " but the blob has " + size + " bytes");
      }
      return new Slice(first, Math.min(last, size - 1));
    }
  }

  /** {@code bytes=-length}: the last {@code length} bytes. */
  record Suffix(long length) implements ByteRange {
    public Suffix {
      if (length < 0) {
        throw new IllegalArgumentException("a suffix length must not be negative: " + length);
      }
    }

    @Override
    public Slice resolve(long size) {
      checkSize(size);
      if (length == 0 || size == 0) {
        throw unsatisfiable("range asks for the last " + length + " of " + size + " bytes");
      }
      return new Slice(Math.max(0, size - length), size - 1);
    }
  }

  /** The bytes {@code first..last} (inclusive) of a blob. */
  record Slice(long first, long last) {
    public Slice {
      if (first < 0 || last < first) {
        throw new IllegalArgumentException(
            "a slice needs 0 <= first <= last: " + first + "-" + last);
      }
    }

    public long length() {
      return last - first + 1;
    }

    /** The {@code Content-Range} value of a 206 response carrying this slice. */
    public String contentRange(long size) {
      return "bytes " + first + "-" + last + "/" + size;
    }
  }

  /**
   * The concrete bytes this range selects in a blob of {@code size} bytes, clipped to its end.
   *
   * @throws RegistryException RANGE_INVALID (416) when no byte of the blob is selected
   */
  Slice resolve(long size);

  /**
   * Parses a {@code Range} header value.
   *
   * @return empty when there is no header, another unit than bytes, or several ranges: all cases in
   *     which RFC 9110 lets a server send the whole body with 200
   * @throws RegistryException RANGE_INVALID when it is a bytes range that does not parse
   */
  static Optional<ByteRange> parse(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.strip();
    int equals = value.indexOf('=');
    String unit = equals < 0 ? value : value.substring(0, equals);
    if (!unit.equalsIgnoreCase("bytes")) {
      return Optional.empty();
    }
    if (equals < 0) {
      throw invalid(value, "no '=' after bytes");
    }
    List<ByteRange> ranges = new ArrayList<>();
    for (String spec : value.substring(equals + 1).split(",", -1)) {
      // RFC 9110 list syntax: optional whitespace around elements, empty elements ignored.
      String trimmed = spec.strip();
      if (!trimmed.isEmpty()) {
        ranges.add(parseSpec(trimmed, value));
      }
    }
    if (ranges.isEmpty()) {
      throw invalid(value, "no range given");
    }
    return ranges.size() == 1 ? Optional.of(ranges.getFirst()) : Optional.empty();
  }

  /** The {@code Content-Range} value of a 416 response, as RFC 9110 asks it to be sent. */
  static String unsatisfiedContentRange(long size) {
    return "bytes */" + size;
  }

  private static ByteRange parseSpec(String spec, String header) {
    int dash = spec.indexOf('-');
    if (dash < 0) {
      throw invalid(header, "a range needs a '-'");
    }
    String first = spec.substring(0, dash);
    String last = spec.substring(dash + 1);
    if (first.isEmpty()) {
      return new Suffix(number(last, header));
    }
    long from = number(first, header);
    if (last.isEmpty()) {
      return new Span(from, Long.MAX_VALUE);
    }
    long to = number(last, header);
    if (to < from) {
      throw invalid(header, "the range ends before it starts");
    }
    return new Span(from, to);
  }

  /** 1*DIGIT, saturating at Long.MAX_VALUE instead of overflowing. */
  private static long number(String digits, String header) {
    if (digits.isEmpty()) {
      throw invalid(header, "a number is missing");
    }
    long value = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        throw invalid(header, "not a number: " + Digest.abbreviate(digits));
      }
      int digit = c - '0';
      value = value > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : value * 10 + digit;
    }
    return value;
  }

  private static void checkSize(long size) {
    if (size < 0) {
      throw new IllegalArgumentException("a blob size must not be negative: " + size);
    }
  }

  private static RegistryException invalid(String header, String why) {
    return new RegistryException(
        ErrorCode.RANGE_INVALID, "invalid range " + Digest.abbreviate(header) + ": " + why);
  }

  private static RegistryException unsatisfiable(String why) {
    return new RegistryException(ErrorCode.RANGE_INVALID, "range not satisfiable: " + why);
  }
}
