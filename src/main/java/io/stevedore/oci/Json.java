package io.stevedore.oci;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON reader to plain Java values, and a string quoter for writing.
 *
 * <p>Values map to {@code LinkedHashMap<String, Object>} (member order kept), {@code List<Object>},
 * {@link String}, {@link Boolean}, {@link #NULL}, and numbers as {@link Long} when they are
 * integers that fit, else {@link BigDecimal} (exact, so nothing is silently rounded).
 *
 * <p>Beyond the grammar it rejects what would let two readers of the same manifest disagree:
 * duplicate member names, unpaired surrogate escapes and malformed UTF-8. Nesting is limited to
 * {@value #MAX_DEPTH} and a number to {@value #MAX_NUMBER_LENGTH} characters, so hostile input
 * costs neither the stack nor quadratic big-number parsing. Every failure is an {@link
 * IllegalArgumentException} that names the offset (in characters) where it was found.
 */
public final class Json {
  /** JSON {@code null}, distinct from a member that is absent. */
  public static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  static final int MAX_DEPTH = 64;
  static final int MAX_NUMBER_LENGTH = 1000;

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /** Parses one JSON value that must span the whole text (whitespace around it allowed). */
  public static Object parse(String text) {
    Json reader = new Json(text);
    reader.skipWhitespace();
    Object value = reader.value(0);
    reader.skipWhitespace();
    if (reader.pos < text.length()) {
      throw reader.error("unexpected data after the JSON value");
    }
    return value;
  }

  /** Parses UTF-8 bytes; malformed UTF-8 is rejected rather than replaced. */
  public static Object parse(byte[] utf8) {
    try {
      return parse(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(utf8))
              .toString());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("JSON is not valid UTF-8", e);
    }
  }

  /**
   * {@code text} as a JSON string literal, quotes included. Control characters, U+2028 and U+2029
   * are escaped so the output is safe in any context; an unpaired surrogate becomes U+FFFD because
   * it has no UTF-8 encoding and the output would not read back.
   */
  public static String quote(String text) {
    return quote(text, new StringBuilder(text.length() + 2)).toString();
  }

  /** Appends {@code text} as a JSON string literal to {@code out}, as {@link #quote(String)}. */
  public static StringBuilder quote(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else if (Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1))) {
            out.append(c).append(text.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }

  /**
   * Writes a value of the shapes {@link #parse} returns (maps, lists, strings, numbers, booleans,
   * {@link #NULL}) as compact JSON, keeping map order, so a parsed document can be rewritten.
   */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    switch (value) {
      case String string -> out.append(quote(string));
      case Map<?, ?> map -> {
        out.append('{');
        String separator = "";
        for (Map.Entry<?, ?> member : map.entrySet()) {
          out.append(separator).append(quote(String.valueOf(member.getKey()))).append(':');
          write(member.getValue(), out);
          separator = ",";
        }
        out.append('}');
      }
      case List<?> list -> {
        out.append('[');
        String separator = "";
        for (Object element : list) {
          out.append(separator);
          write(element, out);
          separator = ",";
        }
        out.append(']');
      }
      case Long number -> out.append(number);
      // Plain digits would read back as a Long: "1e0" must stay a decimal, as it was read.
      case BigDecimal number -> out.append(number).append(number.scale() == 0 ? "E+0" : "");
      case Boolean bool -> out.append(bool);
      default -> {
        if (value != NULL) {
          throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
        }
        out.append("null");
      }
    }
  }

  private Object value(int depth) {
    if (pos >= text.length()) {
      throw error("unexpected end of JSON");
    }
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", NULL);
      default -> {
        if (c == '-' || isDigit(c)) {
          yield number();
        }
        throw error("unexpected character " + describe(c));
      }
    };
  }

  private Map<String, Object> object(int depth) {
    checkDepth(depth);
    pos++;
    Map<String, Object> members = new LinkedHashMap<>();
    skipWhitespace();
    if (consume('}')) {
      return members;
    }
    do {
      skipWhitespace();
      int keyOffset = pos;
      if (pos >= text.length() || text.charAt(pos) != '"') {
        throw error("expected a quoted member name");
      }
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object value = value(depth);
      if (members.putIfAbsent(key, value) != null) {
        pos = keyOffset;
        throw error("duplicate member name " + quote(Digest.abbreviate(key)));
      }
      skipWhitespace();
    } while (consume(','));
    expect('}');
    return members;
  }

  private List<Object> array(int depth) {
    checkDepth(depth);
    pos++;
    List<Object> elements = new ArrayList<>();
    skipWhitespace();
    if (consume(']')) {
      return elements;
    }
    do {
      skipWhitespace();
      elements.add(value(depth));
      skipWhitespace();
    } while (consume(','));
    expect(']');
    return elements;
  }

  private String string() {
    pos++;
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        pos++;
        return out.toString();
      }
      if (c < 0x20) {
        throw error("unescaped control character " + describe(c) + " in string");
      }
      if (c != '\\') {
        if (Character.isHighSurrogate(c)
            && pos + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(pos + 1))) {
          out.append(c).append(text.charAt(pos + 1));
          pos += 2;
          continue;
        }
        if (Character.isSurrogate(c)) {
          // Only a String input gets here; decoded UTF-8 never holds a lone surrogate.
          throw error("unpaired surrogate " + describe(c));
        }
        out.append(c);
        pos++;
        continue;
      }
      pos++;
      if (pos >= text.length()) {
        throw error("unterminated escape");
      }
      char escaped = text.charAt(pos++);
      switch (escaped) {
        case '"', '\\', '/' -> out.append(escaped);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> unicodeEscape(out);
        default -> {
          pos--;
          throw error("invalid escape \\" + describe(escaped));
        }
      }
    }
  }

  /** Reads the four hex digits of a u-escape, and the low half's escape when it starts a pair. */
  private void unicodeEscape(StringBuilder out) {
    int start = pos - 2;
    char unit = hex4();
    if (Character.isHighSurrogate(unit) && text.startsWith("\\u", pos)) {
      pos += 2;
      char low = hex4();
      if (Character.isLowSurrogate(low)) {
        out.append(unit).append(low);
        return;
      }
    }
    if (Character.isSurrogate(unit)) {
      pos = start;
      throw error("unpaired surrogate escape " + describe(unit));
    }
    out.append(unit);
  }

  private char hex4() {
    if (pos + 4 > text.length()) {
      throw error("truncated \\u escape");
    }
    int value = 0;
    for (int i = 0; i < 4; i++) {
      char c = text.charAt(pos);
      // Character.digit alone would also take full-width and other non-ASCII digits.
      int digit = c < 0x80 ? Character.digit(c, 16) : -1;
      if (digit < 0) {
        throw error("invalid hex digit " + describe(c) + " in \\u escape");
      }
      value = value * 16 + digit;
      pos++;
    }
    return (char) value;
  }

  private Object number() {
    int start = pos;
    consume('-');
    if (consume('0')) {
      if (pos < text.length() && isDigit(text.charAt(pos))) {
        throw error("leading zero in number");
      }
    } else {
      digits("a digit");
    }
    boolean integer = true;
    if (consume('.')) {
      integer = false;
      digits("a digit after the decimal point");
    }
    if (consume('e') || consume('E')) {
      integer = false;
      if (!consume('+')) {
        consume('-');
      }
      digits("a digit in the exponent");
    }
    String literal = text.substring(start, pos);
    if (literal.length() > MAX_NUMBER_LENGTH) {
      pos = start;
      throw error("number longer than " + MAX_NUMBER_LENGTH + " characters");
    }
    if (integer && literal.length() <= 20) {
      try {
        return Long.parseLong(literal);
      } catch (NumberFormatException outsideLong) {
        // Up to 20 characters can still exceed a long: fall through to BigDecimal.
      }
    }
    try {
      return new BigDecimal(literal);
    } catch (NumberFormatException e) {
      // The grammar already matched, so only an exponent beyond an int gets here.
      pos = start;
      throw error("number out of range");
    }
  }

  private void digits(String what) {
    if (pos >= text.length() || !isDigit(text.charAt(pos))) {
      throw error("expected " + what);
    }
    while (pos < text.length() && isDigit(text.charAt(pos))) {
      pos++;
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("invalid literal, expected " + word);
    }
    pos += word.length();
    return value;
  }

  private void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private boolean consume(char expected) {
    if (pos < text.length() && text.charAt(pos) == expected) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char expected) {
    if (!consume(expected)) {
      throw pos >= text.length()
          ? error("unexpected end of JSON, expected '" + expected + "'")
          : error("expected '" + expected + "' but found " + describe(text.charAt(pos)));
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static String describe(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private IllegalArgumentException error(String message) {
    return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + message);
  }
}
