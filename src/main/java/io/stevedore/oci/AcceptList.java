package io.stevedore.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The media types a request's {@code Accept} headers allow (RFC 9110, section 12.5.1).
 *
 * <p>A request without an Accept header accepts every manifest type. RFC 9110 reads a missing
 * header as "anything", and the only client that would want less (one that understands only Docker
 * schema 1) cannot be served by this mirror anyway.
 *
 * <p>The most specific matching range decides: {@code application/vnd.oci.image.index.v1+json;q=0}
 * excludes the index even when {@code *}{@code /*} is also listed. Among equally specific ranges an
 * exclusion wins. Other weights only order preferences, which a mirror with one stored
 * representation has no use for, so they read as "accepted".
 */
public final class AcceptList {
  private static final AcceptList ANYTHING = new AcceptList(List.of(new Range("*", "*", false)));

  private final List<Range> ranges;

  private AcceptList(List<Range> ranges) {
    this.ranges = ranges;
  }

  /** A media range: {@code type/subtype}, {@code type/*} or {@code *}{@code /*}. */
  private record Range(String type, String subtype, boolean excluded) {
    /** 3 for an exact match, 2 for {@code type/*}, 1 for {@code *}{@code /*}, 0 for no match. */
    int specificity(String mediaType) {
      if (type.equals("*")) {
        return 1;
      }
      if (!mediaType.startsWith(type + "/")) {
        return 0;
      }
      if (subtype.equals("*")) {
        return 2;
      }
      return mediaType.equals(type + "/" + subtype) ? 3 : 0;
    }
  }

  /**
   * Parses every Accept header of a request; each may list several comma-separated ranges.
   * Malformed ranges are skipped; when none is left, as with no header at all, anything is
   * accepted.
   */
  public static AcceptList parse(List<String> headers) {
    List<Range> ranges = new ArrayList<>();
    for (String header : headers) {
      for (String element : splitOutsideQuotes(header)) {
        parseRange(element.strip(), ranges);
      }
    }
    return ranges.isEmpty() ? ANYTHING : new AcceptList(List.copyOf(ranges));
  }

  /** Whether a response of {@code mediaType} (parameters are ignored) is acceptable. */
  public boolean accepts(String mediaType) {
    String type = MediaType.essence(mediaType);
    int best = 0;
    boolean excluded = true;
    for (Range range : ranges) {
      int specificity = range.specificity(type);
      if (specificity > best) {
        best = specificity;
        excluded = range.excluded();
      } else if (specificity == best && specificity > 0) {
        excluded |= range.excluded();
      }
    }
    return !excluded;
  }

  /** The accepted types of {@link MediaType#MANIFEST_TYPES}, in that order. */
  public List<String> manifestTypes() {
    return MediaType.MANIFEST_TYPES.stream().filter(this::accepts).toList();
  }

  private static void parseRange(String element, List<Range> ranges) {
    String[] parts = element.split(";", -1);
    String type = parts[0].strip().toLowerCase(Locale.ROOT);
    if (type.equals("*")) {
      // Java's URLConnection sends a bare "*"; it can only mean "anything".
      type = "*/*";
    }
    int slash = type.indexOf('/');
    if (slash <= 0 || slash == type.length() - 1 || type.indexOf('/', slash + 1) >= 0) {
      return;
    }
    String main = type.substring(0, slash);
    String sub = type.substring(slash + 1);
    if (main.equals("*") && !sub.equals("*")) {
      return;
    }
    boolean excluded = false;
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].strip();
      int equals = parameter.indexOf('=');
      if (equals > 0 && parameter.substring(0, equals).strip().equalsIgnoreCase("q")) {
        excluded = parameter.substring(equals + 1).strip().matches("0(\\.0*)?");
      }
    }
    ranges.add(new Range(main, sub, excluded));
  }

  /** Splits at commas, except inside a quoted parameter value such as {@code p="a,b"}. */
  private static List<String> splitOutsideQuotes(String header) {
    List<String> elements = new ArrayList<>();
    if (header == null) {
      return elements;
    }
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '\\' && quoted) {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        elements.add(header.substring(start, i));
        start = i + 1;
      }
    }
    elements.add(header.substring(start));
    return elements;
  }
}
