package io.stevedore.config.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * conf/stevedore.yaml documents every key the loader accepts, and nothing else: the keys set in it
 * and the ones shown in comments ({@code # key: value}) are exactly {@link ConfigSchema#KEYS}.
 */
class DocumentedKeysTest {
  private static final Pattern KEY = Pattern.compile("^( *)(- )?([a-z][a-z0-9-]*):(.*)$");

  @Test
  void theShippedConfig_documentsExactlyTheKeysTheLoaderAccepts() throws IOException {
    Set<String> documented = documentedKeys(Path.of("conf/stevedore.yaml"));

    assertThat(documented)
        .as("documented in conf/stevedore.yaml")
        .containsExactlyInAnyOrderElementsOf(ConfigSchema.KEYS);
  }

  /** A section, a list item's parent, or a key, with the indentation it stood at. */
  private static final class Node {
    final int indent;
    final String name;
    boolean list;

    Node(int indent, String name) {
      this.indent = indent;
      this.name = name;
    }

    String path() {
      return name + (list ? "[]" : "");
    }
  }

  /**
   * The keys of a YAML file written as Stevedore's is: a key commented out is {@code # } right
   * before it, at the key's own indentation; prose comments do not start with a lower-case word and
   * a colon.
   */
  static Set<String> documentedKeys(Path file) throws IOException {
    Set<String> keys = new LinkedHashSet<>();
    Deque<Node> stack = new ArrayDeque<>();
    for (String raw : Files.readAllLines(file)) {
      String line = uncommented(raw);
      Matcher m = KEY.matcher(line);
      if (!m.matches()) {
        continue;
      }
      boolean item = m.group(2) != null;
      int indent = m.group(1).length() + (item ? 2 : 0);
      while (!stack.isEmpty() && stack.peek().indent >= indent) {
        stack.pop();
      }
      if (item && !stack.isEmpty()) {
        stack.peek().list = true;
      }
      String value = m.group(4).strip();
      String parent = parentPath(stack);
      String path = (parent.isEmpty() ? "" : parent + ".") + m.group(3);
      if (value.isEmpty() || value.startsWith("#")) {
        stack.push(new Node(indent, m.group(3)));
      } else {
        keys.add(path + (value.startsWith("[") ? "[]" : ""));
      }
    }
    return keys;
  }

  private static String uncommented(String line) {
    String stripped = line.stripLeading();
    if (!stripped.startsWith("# ")) {
      return line;
    }
    return " ".repeat(line.length() - stripped.length()) + stripped.substring(2);
  }

  private static String parentPath(Deque<Node> stack) {
    List<Node> outerFirst = List.copyOf(stack).reversed();
    StringBuilder path = new StringBuilder();
    for (Node node : outerFirst) {
      path.append(path.isEmpty() ? "" : ".").append(node.path());
    }
    return path.toString();
  }
}
