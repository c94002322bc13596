package io.stevedore.upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header, e.g. {@code Bearer
 * realm="...",service="..."}.
 *
 * @param scheme the auth scheme, lower case ({@code bearer}, {@code basic})
 * @param params the auth parameters, names lower case, quoted values unquoted
 */
record Challenge(String scheme, Map<String, String> params) {

  Challenge {
    params = Map.copyOf(params);
  }

  boolean is(String otherScheme) {
    return scheme.equalsIgnoreCase(otherScheme);
  }

  Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT))).filter(v -> !v.isEmpty());
  }

  /**
   * Parses every challenge in a header value (RFC 9110 section 11.6.1). Tolerant: quoted values may
   * hold commas and escaped quotes, a header may carry several challenges, and what cannot be
   * parsed (a token68) is skipped rather than failing the request.
   */
  static List<Challenge> parse(String header) {
    return new Parser(header == null ? "" : header).challenges();
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    List<Challenge> challenges() {
      List<Challenge> result = new ArrayList<>();
      while (true) {
        skip(" \t,");
        String scheme = token();
        if (scheme.isEmpty()) {
          if (pos >= text.length()) {
            return result;
          }
          pos++; // a stray character (a quote, '='): step over it rather than loop forever
          continue;
        }
        result.add(new Challenge(scheme.toLowerCase(Locale.ROOT), params()));
      }
    }

    private Map<String, String> params() {
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        skip(" \t,");
        int start = pos;
        String name = token();
        skip(" \t");
        if (name.isEmpty() || !peek('=')) {
          pos = start; // the next challenge's scheme (or the end)
          return params;
        }
        pos++;
        skip(" \t");
        String value = peek('"') ? quoted() : token();
        params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
      }
    }

    private String token() {
      int start = pos;
      while (pos < text.length() && " \t,=\"".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      return text.substring(start, pos);
    }

    private String quoted() {
      StringBuilder value = new StringBuilder();
      pos++; // opening quote
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (c == '"') {
          break;
        }
        if (c == '\\' && pos < text.length()) {
          c = text.charAt(pos++);
        }
        value.append(c);
      }
      return value.toString();
    }

    private boolean peek(char c) {
      return pos < text.length() && text.charAt(pos) == c;
    }

    private void skip(String chars) {
      while (pos < text.length() && chars.indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
    }
  }
}
