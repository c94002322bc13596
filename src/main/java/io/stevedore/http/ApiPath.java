package io.stevedore.http;

import io.stevedore.oci.ErrorCode;
import io.stevedore.oci.RegistryException;

/**
 * A request path under {@code /v2/}, split into the repository name and what is asked of it.
 * Repository names contain slashes and may even contain a segment called {@code manifests}, so the
 * path is split at the last marker: references and digests never contain a slash.
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

  static ApiPath parse(String path) {
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

  private static RegistryException notFound(String path) {
    return new RegistryException(
        ErrorCode.NAME_UNKNOWN, 404, "not a path of the registry API: " + abbreviate(path));
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
