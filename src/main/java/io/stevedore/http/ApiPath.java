package io.stevedore.http;

import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;
import java.util.HexFormat;

/**
 * A request path under {@code /v2/}, split into the repository name and what is asked of it.
 * Repository names contain slashes and may even contain a segment called {@code manifests}, so the
 * path is split at the last marker: references and digests never contain a slash.
 *
 * <p>It is read from the raw path as the client sent it, not the server's decoded and normalised
 * one: there {@code a/../b}, {@code a%2fb} and {@code a;x=y} would name another repository than the
 * client wrote, and the mirror would fetch it. Names, tags and digests need only a few characters,
 * so anything else (decoded or not) is refused, and so are dot segments.
 */
sealed interface ApiPath {
  /** {@code /v2/}: the version check. */
  record Base() implements ApiPath {}

  /** {@code /v2/<name>/manifests/<reference>}. */
  record Manifest(String name, String reference) implements ApiPath {}

  /** {@code /v2/<name>/blobs/<digest>}. */
  record Blob(String name, String digest) implements ApiPath {}

  /** {@code /v2/<name>/referrers/<digest>}. */
  record Referrers(String name, String digest) implements ApiPath {}

  /** {@code /v2/<name>/tags/list}. */
  record Tags(String name) implements ApiPath {}

  /** Push, catalog and the other parts of the API a pull-through mirror does not offer. */
  record Unsupported(String what) implements ApiPath {}

  /**
   * Parses a raw request path (percent-escapes undecoded).
   *
   * @throws RegistryException NAME_INVALID for characters or dot segments no registry path has,
   *     NAME_UNKNOWN for a path outside the registry API
   */
  static ApiPath parse(String rawPath) {
    String path = decoded(rawPath);
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw invalid(rawPath, "a dot segment");
      }
    }
    if (path.equals("/v2") || path.equals("/v2/")) {
      return new Base();
    }
    if (!path.startsWith("/v2/")) {
      throw notFound(path);
    }
    String rest = path.substring("/v2/".length());
    if (rest.equals("_catalog")) {
      return new Unsupported("the catalog");
    }
    if (rest.contains("/blobs/uploads")) {
      return new Unsupported("blob uploads");
    }
    // Like the markers below, the tag list needs a name before it: "/v2//tags/list" has none.
    if (rest.endsWith("/tags/list") && rest.length() > "/tags/list".length()) {
      return new Tags(rest.substring(0, rest.length() - "/tags/list".length()));
    }
    int manifests = rest.lastIndexOf("/manifests/");
    int blobs = rest.lastIndexOf("/blobs/");
    int referrers = rest.lastIndexOf("/referrers/");
    if (referrers > 0 && referrers > manifests && referrers > blobs) {
      return new Referrers(
          rest.substring(0, referrers), rest.substring(referrers + "/referrers/".length()));
    }
    if (manifests > 0 && manifests > blobs) {
      return new Manifest(
          rest.substring(0, manifests), rest.substring(manifests + "/manifests/".length()));
    }
    if (blobs > 0) {
      return new Blob(rest.substring(0, blobs), rest.substring(blobs + "/blobs/".length()));
    }
    throw notFound(path);
  }

  /**
   * The path with its percent-escapes decoded, when each stands for a character a registry path may
   * hold; an escaped slash would split a name where the client did not.
   */
  private static String decoded(String raw) {
    StringBuilder path = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int value = escaped(raw, i);
        if (value < 0 || value == '/' || !allowed((char) value)) {
          throw invalid(raw, "an escaped character no name, tag or digest has");
        }
        c = (char) value;
        i += 2;
      } else if (c != '/' && !allowed(c)) {
        throw invalid(raw, "a character no name, tag or digest has");
      }
      path.append(c);
    }
    return path.toString();
  }

  /** The character {@code %XX} at {@code at} stands for, or -1 when it is not an escape. */
  private static int escaped(String raw, int at) {
    if (at + 2 >= raw.length()
        || !HexFormat.isHexDigit(raw.charAt(at + 1))
        || !HexFormat.isHexDigit(raw.charAt(at + 2))) {
      return -1;
    }
    return HexFormat.fromHexDigits(raw, at + 1, at + 3);
  }

  /** The characters of repository names, tags and digests (of every algorithm). */
  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-'
        || c == ':'
        || c == '+'
        || c == '=';
  }

  private static RegistryException invalid(String path, String what) {
    return new RegistryException(
        ErrorCode.NAME_INVALID,
        "not a path of the registry API: " + abbreviate(path) + " has " + what);
  }

  private static RegistryException notFound(String path) {
    return new RegistryException(
        ErrorCode.NAME_UNKNOWN, 404, "not a path of the registry API: " + abbreviate(path));
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
