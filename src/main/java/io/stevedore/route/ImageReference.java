package io.stevedore.route;

import io.stevedore.oci.Reference;
import io.stevedore.oci.RegistryException;

/**
 * An image as users write it: {@code name[:tag][@digest]}, where the name may start with a registry
 * ({@code ghcr.io/org/app:1.0}); without tag or digest it means {@code :latest}.
 */
public record ImageReference(String name, Reference reference) {

  public static ImageReference parse(String text) {
    String value = text.strip();
    int at = value.indexOf('@');
    if (at >= 0) {
      return new ImageReference(
          withoutTag(value.substring(0, at)), Reference.parse(value.substring(at + 1)));
    }
    int slash = value.lastIndexOf('/');
    int colon = value.lastIndexOf(':');
    if (colon > slash) {
      return new ImageReference(
          value.substring(0, colon), new Reference.Tag(value.substring(colon + 1)));
    }
    if (value.isEmpty()) {
      throw RegistryException.nameInvalid("no image named");
    }
    return new ImageReference(value, new Reference.Tag("latest"));
  }

  /** {@code app:1.0@sha256:...}: the digest decides, the tag is a label. */
  private static String withoutTag(String name) {
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    return colon > slash ? name.substring(0, colon) : name;
  }

  @Override
  public String toString() {
    return name + (reference instanceof Reference.Tag ? ":" : "@") + reference;
  }
}
