package io.stevedore.oci;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The OCI image index that the referrers API answers with, and its artifactType filter. */
public final class ReferrersIndex {
  private ReferrersIndex() {}

  /** An index that lists no referrers. */
  public static byte[] empty() {
    return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_INDEX + "\",\"manifests\":[]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The index with only the entries whose {@code artifactType} is {@code artifactType}.
   *
   * @throws RegistryException MANIFEST_INVALID when {@code index} is not an image index
   */
  public static byte[] filter(byte[] index, String artifactType) {
    Map<String, Object> document = object(index);
    List<Object> kept = new ArrayList<>();
    for (Object entry : manifests(document)) {
      if (entry instanceof Map<?, ?> descriptor
          && artifactType.equals(descriptor.get("artifactType"))) {
        kept.add(entry);
      }
    }
    Map<String, Object> filtered = new LinkedHashMap<>(document);
    filtered.put("manifests", kept);
    return Json.write(filtered).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The manifest this one refers to (its {@code subject}), which makes it a referrer of that one.
   *
   * @throws RegistryException MANIFEST_INVALID when {@code manifest} is not a JSON object or its
   *     subject has no valid digest
   */
  public static Optional<Digest> subject(byte[] manifest) {
    if (object(manifest).get("subject") instanceof Map<?, ?> subject
        && subject.get("digest") instanceof String digest) {
      return Optional.of(Digest.parse(digest));
    }
    return Optional.empty();
  }

  /**
   * {@code index} listing the referrer {@code manifest} too, described the way the referrers API
   * does (its artifactType, else its config's media type, and its annotations); an entry of the
   * same digest is replaced, so adding twice lists it once.
   */
  public static byte[] with(byte[] index, String mediaType, Digest digest, byte[] manifest) {
    Map<String, Object> document = object(index);
    Map<String, Object> referrer = object(manifest);
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("mediaType", mediaType);
    entry.put("digest", digest.toString());
    entry.put("size", (long) manifest.length);
    Object artifactType =
        referrer.containsKey("artifactType")
            ? referrer.get("artifactType")
            : referrer.get("config") instanceof Map<?, ?> config ? config.get("mediaType") : null;
    if (artifactType != null) {
      entry.put("artifactType", artifactType);
    }
    if (referrer.get("annotations") != null) {
      entry.put("annotations", referrer.get("annotations"));
    }
    List<Object> kept = new ArrayList<>();
    for (Object other : manifests(document)) {
      if (!(other instanceof Map<?, ?> descriptor
          && digest.toString().equals(descriptor.get("digest")))) {
        kept.add(other);
      }
    }
    kept.add(entry);
    Map<String, Object> merged = new LinkedHashMap<>(document);
    merged.put("manifests", kept);
    return Json.write(merged).getBytes(StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(byte[] index) {
    try {
      if (Json.parse(index) instanceof Map<?, ?> map) {
        return (Map<String, Object>) map;
      }
    } catch (IllegalArgumentException e) {
      throw new RegistryException(
          ErrorCode.MANIFEST_INVALID, "not a JSON document: " + e.getMessage());
    }
    throw new RegistryException(ErrorCode.MANIFEST_INVALID, "not a JSON object");
  }

  private static List<?> manifests(Map<String, Object> document) {
    Object manifests = document.get("manifests");
    if (manifests instanceof List<?> list) {
      return list;
    }
    throw new RegistryException(
        ErrorCode.MANIFEST_INVALID, "referrers index has no manifests list");
  }
}
