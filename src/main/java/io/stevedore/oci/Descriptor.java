package io.stevedore.oci;

/** A content descriptor: what a manifest says about a piece of content it refers to. */
public record Descriptor(String mediaType, Digest digest, long size) {
  public Descriptor {
    if (digest == null) {
      throw new IllegalArgumentException("a descriptor needs a digest");
    }
    if (size < 0) {
      throw new IllegalArgumentException("a descriptor's size must not be negative, got " + size);
    }
  }
}
