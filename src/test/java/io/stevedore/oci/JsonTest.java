package io.stevedore.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
  static Stream<Arguments> validDocuments() {
    return Stream.of(
        arguments("{}", Map.of()),
        arguments("[]", List.of()),
        arguments(" \t\r\n[ 1 , 2 ]\n", List.of(1L, 2L)),
        arguments("\"\"", ""),
        arguments("true", true),
        arguments("false", false),
        arguments("0", 0L),
        arguments("-0", 0L),
        arguments("-12", -12L),
        arguments("9223372036854775807", Long.MAX_VALUE),
        arguments("-9223372036854775808", Long.MIN_VALUE),
        arguments("9223372036854775808", new BigDecimal("9223372036854775808")),
        arguments("1.5", new BigDecimal("1.5")),
        arguments("-0.25e-2", new BigDecimal("-0.0025")),
        arguments("1E+3", new BigDecimal("1E+3")),
        arguments("2e3", new BigDecimal("2e3")),
        arguments("\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d"),
        arguments("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t"),
        arguments("\"\\u0041\\u00e9\\u00E9\\u20AC\"", "Aéé€"),
        arguments("\"\\u0000\"", "\u0000"),
        arguments("\"\\ud83d\\ude00\"", "😀"),
        arguments("\"\\uD834\\uDD1E\"", "𝄞"),
        arguments("\"😀 literal\"", "😀 literal"),
        arguments("\"\u2028\u2029\u007f\"", "\u2028\u2029\u007f"),
        arguments(
            "{\"a\":[1,{\"b\":null}],\"c\":{\"d\":[[]]}}",
            Map.of("a", List.of(1L, Map.of("b", Json.NULL)), "c", Map.of("d", List.of(List.of())))),
        arguments("[" + "[".repeat(63) + "]".repeat(64), nested(64)));
  }

  private static Object nested(int depth) {
    Object value = List.of();
    for (int i = 1; i < depth; i++) {
      value = List.of(value);
    }
    return value;
  }

  @ParameterizedTest
  @MethodSource("validDocuments")
  void parse_validDocument_givesPlainJavaValues(String json, Object expected) {
    assertThat(Json.parse(json)).isEqualTo(expected);
    assertThat(Json.parse(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
  }

  @Test
  void parse_null_isTheSentinel() {
    assertThat(Json.parse("null")).isSameAs(Json.NULL);
    assertThat(Json.NULL).hasToString("null");
  }

  @Test
  void parse_object_keepsMemberOrder() {
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) Json.parse("{\"z\":1,\"a\":2,\"m\":3}");

    assertThat(object.keySet()).containsExactly("z", "a", "m");
  }

  static Stream<Arguments> invalidDocuments() {
    return Stream.of(
        arguments("", "end of JSON"),
        arguments("   ", "end of JSON"),
        arguments("[1,]", "unexpected character ']'"),
        arguments("[1 2]", "expected ']'"),
        arguments("{\"a\":1,}", "quoted member name"),
        arguments("{a:1}", "quoted member name"),
        arguments("{'a':1}", "quoted member name"),
        arguments("{\"a\" 1}", "expected ':'"),
        arguments("{\"a\":1", "expected '}'"),
        arguments("{\"a\":1,\"a\":2}", "duplicate member name \"a\""),
        arguments("[1]x", "after the JSON value"),
        arguments("{} {}", "after the JSON value"),
        arguments("\"a\tb\"", "control character U+0009"),
        arguments("\"a\nb\"", "control character U+000A"),
        arguments("\"a\u0000\"", "control character U+0000"),
        arguments("\"abc", "unterminated string"),
        arguments("\"\\x\"", "invalid escape"),
        arguments("\"\\u12g4\"", "invalid hex digit 'g'"),
        arguments("\"\\u12", "truncated"),
        arguments("\"\\u００41\"", "invalid hex digit"),
        arguments("\"\\ud83d\"", "unpaired surrogate"),
        arguments("\"\\ud83d\\u0041\"", "unpaired surrogate"),
        arguments("\"\\ude00\\ud83d\"", "unpaired surrogate"),
        arguments("\"\ud83d\"", "unpaired surrogate"),
        arguments("01", "leading zero"),
        arguments("-", "expected a digit"),
        arguments("+1", "unexpected character '+'"),
        arguments(".5", "unexpected character '.'"),
        arguments("1.", "after the decimal point"),
        arguments("1e", "in the exponent"),
        arguments("1e+", "in the exponent"),
        arguments("0x10", "after the JSON value"),
        arguments("NaN", "unexpected character 'N'"),
        arguments("Infinity", "unexpected character 'I'"),
        arguments("1e99999999999", "out of range"),
        arguments("1" + "0".repeat(Json.MAX_NUMBER_LENGTH), "longer than"),
        arguments("tru", "expected true"),
        arguments("nul", "expected null"),
        arguments("True", "unexpected character 'T'"),
        arguments("\ufeff{}", "U+FEFF"),
        arguments("[\u00a0]", "U+00A0"),
        arguments("[".repeat(65) + "]".repeat(65), "nesting deeper than 64"),
        arguments("{\"a\":".repeat(65) + "1" + "}".repeat(65), "nesting deeper than 64"),
        arguments("[".repeat(100_000), "nesting deeper than 64"));
  }

  @ParameterizedTest
  @MethodSource("invalidDocuments")
  void parse_invalidDocument_failsWithOffsetAndReason(String json, String reason) {
    assertThatThrownBy(() -> Json.parse(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid JSON at offset ")
        .hasMessageContaining(reason);
  }

  @Test
  void parse_error_namesTheOffsetOfTheProblem() {
    assertThatThrownBy(() -> Json.parse("{\"a\":[1,2,}"))
        .hasMessage("invalid JSON at offset 10: unexpected character '}'");
  }

  @Test
  void parse_malformedUtf8_isRejectedNotReplaced() {
    byte[] overlongSlash = {'"', (byte) 0xc0, (byte) 0xaf, '"'};

    assertThatThrownBy(() -> Json.parse(overlongSlash))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UTF-8");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "plain",
        "quote \" and backslash \\",
        "line\nfeed\r\ttab\b\f",
        "\u0000\u0001\u001f\u007f",
        "unicode é € 😀 \u2028 \u2029",
        "</script>"
      })
  void quote_readsBackAsTheSameString(String text) {
    assertThat(Json.parse(Json.quote(text))).isEqualTo(text);
  }

  @Test
  void quote_escapesControlCharactersAndLineSeparators() {
    assertThat(Json.quote("a\"b\\c\nd\u0001\u2028")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\\u2028\"");
  }

  @Test
  void quote_replacesUnpairedSurrogatesSoTheOutputIsValidUtf8() {
    String quoted = Json.quote("x\ud83dy\ude00");

    assertThat(quoted).isEqualTo("\"x\uFFFDy\uFFFD\"");
    assertThat(Json.parse(quoted.getBytes(StandardCharsets.UTF_8))).isEqualTo("x\uFFFDy\uFFFD");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "{\"a\":[1,2.5,-3e2,true,false,null],\"b\":{\"c\":\"d\\n\\u0001\"}}",
        "[]",
        "{}",
        "\"\\ud83d\\ude00\"",
        "12345678901234567890123",
        // Found by fuzzing: an integral decimal was written as plain digits, read back as a Long.
        "[1e0,-5E+0,20e-0,0e0]"
      })
  void write_readsBackToTheSameValue(String json) {
    Object value = Json.parse(json);

    assertThat(Json.parse(Json.write(value))).isEqualTo(value);
  }

  @Test
  void write_keepsMemberOrder() {
    assertThat(Json.write(Json.parse("{\"z\":1,\"a\":2}"))).isEqualTo("{\"z\":1,\"a\":2}");
  }
}
