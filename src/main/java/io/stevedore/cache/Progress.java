package io.stevedore.cache;

/** How far a blob's bytes are stored: all of them, or as far as a running fill got. */
interface Progress {
  /** A blob that is committed in the store. */
  Progress STORED = end -> {};

  /** Returns once bytes {@code [0, end)} are stored; throws when the fill failed. */
  void awaitStored(long end);

  /**
   * Where a reader of the chunks from {@code first} on finds those the fill still holds in memory;
   * close it when done.
   */
  default ChunkWindow.Reader follow(long first) {
    return ChunkWindow.Reader.NONE;
  }
}
