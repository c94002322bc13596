package io.stevedore.config.yaml;

import io.helidon.config.Config;
import java.util.List;

/**
 * Refuses what the loader would otherwise pass over: a key Stevedore does not know (a typo, or a
 * section of a newer version), a section where a value belongs, a value where a section or a list
 * belongs. Each refusal names the key as {@code upstreams[2].tag-freshness} and, for an unknown
 * key, the known one nearest to it.
 */
final class KeyCheck {
  private KeyCheck() {}

  /**
   * @throws ConfigLoader.ConfigException for the first wrong key, in the file's order
   */
  static void check(Config root) {
    root.traverse().forEach(KeyCheck::checkNode);
  }

  private static void checkNode(Config node) {
    List<String> segments = segments(node.key().toString());
    String shape = shape(segments);
    String shown = shown(segments);
    String parentShape = shape(segments.subList(0, segments.size() - 1));
    String name = segments.getLast();
    boolean index = isIndex(name);
    if (index && !ConfigSchema.isList(parentShape)) {
      throw new ConfigLoader.ConfigException(
          shown(segments.subList(0, segments.size() - 1)) + ": not a list");
    }
    if (!index
        && !ConfigSchema.isKey(shape)
        && !ConfigSchema.isSection(shape)
        && !ConfigSchema.isList(shape)) {
      throw unknown(parentShape, shown, name);
    }
    switch (node.type()) {
      case OBJECT -> {
        if (!ConfigSchema.isSection(shape)) {
          throw new ConfigLoader.ConfigException(shown + ": expected " + expected(shape));
        }
      }
      case LIST -> {
        if (!ConfigSchema.isList(shape)) {
          throw new ConfigLoader.ConfigException(shown + ": expected " + expected(shape));
        }
      }
      case VALUE -> {
        if (ConfigSchema.isSection(shape) || ConfigSchema.isList(shape)) {
          throw new ConfigLoader.ConfigException(shown + ": expected " + expected(shape));
        }
      }
      default -> {
        // MISSING nodes are not traversed.
      }
    }
  }

  private static ConfigLoader.ConfigException unknown(String section, String shown, String name) {
    String known = String.join(", ", ConfigSchema.keysOf(section));
    return new ConfigLoader.ConfigException(
        shown
            + ": unknown key"
            + ConfigSchema.nearest(section, name).map(n -> "; did you mean " + n + "?").orElse("")
            + " (known here: "
            + known
            + ")");
  }

  private static String expected(String shape) {
    if (ConfigSchema.isList(shape)) {
      return "a list";
    }
    if (ConfigSchema.isSection(shape)) {
      return "a section with " + String.join(", ", ConfigSchema.keysOf(shape));
    }
    return "a single value";
  }

  private static List<String> segments(String key) {
    return List.of(key.split("\\."));
  }

  private static boolean isIndex(String segment) {
    return !segment.isEmpty() && segment.chars().allMatch(Character::isDigit);
  }

  /** {@code upstreams.2.aliases.0} as {@code upstreams[].aliases[]}. */
  private static String shape(List<String> segments) {
    StringBuilder shape = new StringBuilder();
    for (String segment : segments) {
      if (isIndex(segment)) {
        shape.append("[]");
      } else {
        shape.append(shape.isEmpty() ? "" : ".").append(segment);
      }
    }
    return shape.toString();
  }

  /** {@code upstreams.2.aliases.0} as {@code upstreams[2].aliases[0]}. */
  static String shown(List<String> segments) {
    StringBuilder shown = new StringBuilder();
    for (String segment : segments) {
      if (isIndex(segment)) {
        shown.append('[').append(segment).append(']');
      } else {
        shown.append(shown.isEmpty() ? "" : ".").append(segment);
      }
    }
    return shown.toString();
  }
}
