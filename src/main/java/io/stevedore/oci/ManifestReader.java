package io.stevedore.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns a manifest body into a {@link Manifest}; every failure is MANIFEST_INVALID. */
final class ManifestReader {
  private final byte[] body;
  private final String contentType;
  private final List<Descriptor> references = new ArrayList<>();
  private final List<Manifest.Entry> entries = new ArrayList<>();

  ManifestReader(byte[] body, String contentType) {
    this.body = body;
    this.contentType = contentType;
  }

  Manifest read() {
    Map<String, Object> root = object(json(), "manifest");
    checkSchemaVersion(root);
    String mediaType = mediaType(root);
    if (MediaType.isIndex(mediaType)) {
      List<Object> manifests = array(required(root, "manifests", ""), "manifests");
      for (int i = 0; i < manifests.size(); i++) {
        String path = "manifests[" + i + "]";
        Map<String, Object> entry = object(manifests.get(i), path);
        Descriptor descriptor = descriptor(entry, path);
        references.add(descriptor);
        entries.add(new Manifest.Entry(descriptor, platform(entry, path)));
      }
    } else {
      references.add(descriptor(object(required(root, "config", ""), "config"), "config"));
      List<Object> layers = array(required(root, "layers", ""), "layers");
      for (int i = 0; i < layers.size(); i++) {
        String path = "layers[" + i + "]";
        references.add(descriptor(object(layers.get(i), path), path));
      }
    }
    Object subject = optional(root, "subject");
    if (subject != null) {
      references.add(descriptor(object(subject, "subject"), "subject"));
    }
    return new Manifest(mediaType, references, entries);
  }

  private Object json() {
    try {
      return Json.parse(body);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(
          ErrorCode.MANIFEST_INVALID,
          ErrorCode.MANIFEST_INVALID.status(),
          "manifest is not valid JSON: " + e.getMessage(),
          null,
          e);
    }
  }

  private static void checkSchemaVersion(Map<String, Object> root) {
    Object version = required(root, "schemaVersion", "");
    if (Long.valueOf(1).equals(version)) {
      throw invalid("Docker schema 1 manifests are unsupported; the upstream must serve schema 2");
    }
    if (!Long.valueOf(2).equals(version)) {
      // The value may be any JSON, megabytes of it: quote only its start.
      throw invalid(
          "unsupported schemaVersion " + Digest.abbreviate(Json.write(version)) + ", expected 2");
    }
  }

  /** The body's own type first; then the served type; then the shape, as the spec allows. */
  private String mediaType(Map<String, Object> root) {
    Object declared = optional(root, "mediaType");
    if (declared != null) {
      String type = MediaType.essence(string(declared, "mediaType"));
      if (!MediaType.isIndex(type) && !MediaType.isManifest(type)) {
        throw invalid("unsupported manifest media type " + Json.quote(Digest.abbreviate(type)));
      }
      return type;
    }
    String served = MediaType.essence(contentType);
    if (MediaType.isIndex(served) || MediaType.isManifest(served)) {
      return served;
    }
    if (root.containsKey("manifests")) {
      return MediaType.OCI_INDEX;
    }
    if (root.containsKey("config") || root.containsKey("layers")) {
      return MediaType.OCI_MANIFEST;
    }
    throw invalid("neither a mediaType nor manifests, config or layers: not a manifest");
  }

  private static Descriptor descriptor(Map<String, Object> object, String path) {
    String mediaType = string(required(object, "mediaType", path), path + ".mediaType");
    String digestText = string(required(object, "digest", path), path + ".digest");
    Digest digest;
    try {
      digest = Digest.parse(digestText);
    } catch (RegistryException e) {
      throw invalid(path + ".digest: " + e.getMessage());
    }
    if (!(required(object, "size", path) instanceof Long size) || size < 0) {
      throw invalid(path + ".size must be a non-negative integer");
    }
    return new Descriptor(mediaType, digest, size);
  }

  private static Optional<Manifest.Platform> platform(Map<String, Object> entry, String path) {
    Object value = optional(entry, "platform");
    if (value == null) {
      return Optional.empty();
    }
    String where = path + ".platform";
    Map<String, Object> platform = object(value, where);
    Object variant = optional(platform, "variant");
    return Optional.of(
        new Manifest.Platform(
            string(required(platform, "os", where), where + ".os"),
            string(required(platform, "architecture", where), where + ".architecture"),
            Optional.ofNullable(variant == null ? null : string(variant, where + ".variant"))));
  }

  /** The member's value, or null when it is absent or JSON null (as Go clients read it too). */
  private static Object optional(Map<String, Object> object, String name) {
    Object value = object.get(name);
    return value == Json.NULL ? null : value;
  }

  private static Object required(Map<String, Object> object, String name, String path) {
    Object value = optional(object, name);
    if (value == null) {
      throw invalid((path.isEmpty() ? "" : path + ".") + name + " is missing");
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String path) {
    if (value instanceof Map<?, ?> map) {
      return (Map<String, Object>) map;
    }
    throw invalid(path + " must be an object");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> array(Object value, String path) {
    if (value instanceof List<?> list) {
      return (List<Object>) list;
    }
    throw invalid(path + " must be an array");
  }

  private static String string(Object value, String path) {
    if (value instanceof String text) {
      return text;
    }
    throw invalid(path + " must be a string");
  }

  private static RegistryException invalid(String message) {
    return new RegistryException(ErrorCode.MANIFEST_INVALID, "invalid manifest: " + message);
  }
}
