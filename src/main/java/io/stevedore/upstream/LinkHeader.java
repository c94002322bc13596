package io.stevedore.upstream;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/** Finds the {@code rel="next"} target of an RFC 8288 {@code Link} header (tag list paging). */
final class LinkHeader {

  // A URI reference holds neither '<' nor '>' (RFC 3986): stopping at either keeps the search
  // linear; with [^>]* every '<' of a header without '>' rescanned the rest of it (quadratic).
  private static final Pattern LINK = Pattern.compile("<([^<>]*)>((?:\\s*;[^,<]*)*)");
  private static final Pattern REL_NEXT =
      Pattern.compile(
          ";\\s*rel\\s*=\\s*\"?([^\";]*\\s)?next(\\s[^\";]*)?\"?\\s*(;|$)",
          Pattern.CASE_INSENSITIVE);

  private LinkHeader() {}

  /** The next-page URL, resolved against {@code base} (links are usually relative). */
  static Optional<HttpUrl> next(String header, HttpUrl base) {
    if (header == null) {
      return Optional.empty();
    }
    Matcher link = LINK.matcher(header);
    while (link.find()) {
      if (REL_NEXT.matcher(link.group(2).strip()).find()) {
        return Optional.ofNullable(base.resolve(link.group(1).strip()));
      }
    }
    return Optional.empty();
  }
}
