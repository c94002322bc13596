package io.stevedore.store.rocks;

import io.stevedore.oci.Digest;
import io.stevedore.store.PinStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Pins: image reference -> its digests, one per line. */
final class RocksPinStore implements PinStore {
  private final ColumnFamily family;

  RocksPinStore(ColumnFamily family) {
    this.family = family;
  }

  @Override
  public void pin(String image, Collection<Digest> digests) {
    String value = digests.stream().map(Digest::toString).collect(Collectors.joining("\n"));
    family.put(
        image.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8),
        () -> "cannot pin " + image);
  }

  @Override
  public void unpin(String image) {
    family.delete(image.getBytes(StandardCharsets.UTF_8), () -> "cannot unpin " + image);
  }

  @Override
  public Map<String, Set<Digest>> all() {
    Map<String, Set<Digest>> pins = new TreeMap<>();
    family.forEach(
        (key, value) -> pins.put(new String(key, StandardCharsets.UTF_8), digests(value)));
    return pins;
  }

  private static Set<Digest> digests(byte[] value) {
    String lines = new String(value, StandardCharsets.UTF_8);
    return lines.isEmpty()
        ? Set.of()
        : Arrays.stream(lines.split("\n"))
            .map(Digest::parse)
            .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
