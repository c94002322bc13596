package io.stevedore.oci;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(byte[] index) {
    try {
      if (Json.parse(index) instanceof Map<?, ?> map) {
        return (Map<String, Object>) map;
      }
    } catch (IllegalArgumentException e) {
      throw new RegistryException(
          ErrorCode.MANIFEST_INVALID, "referrers index is not JSON: " + e.getMessage());
    }
    throw new RegistryException(ErrorCode.MANIFEST_INVALID, "referrers index is not an object");
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
