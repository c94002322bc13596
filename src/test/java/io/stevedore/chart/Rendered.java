package io.stevedore.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes objects {@code helm template} rendered, parsed, with a path syntax to read their
 * fields: {@code get(object, "spec.template.spec.containers[0].livenessProbe.httpGet.path")}.
 */
record Rendered(List<Map<String, Object>> objects) {

  /** Parses the multi-document YAML Helm prints. */
  @SuppressWarnings("unchecked")
  static Rendered parse(String yaml) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object document : new Yaml().loadAll(yaml)) {
      if (document != null) {
        objects.add((Map<String, Object>) document);
      }
    }
    return new Rendered(objects);
  }

  /** The kinds rendered, one entry per object, in order. */
  List<String> kinds() {
    return objects.stream().map(o -> (String) o.get("kind")).toList();
  }

  /** The only object of {@code kind}; fails when there is none or several. */
  Map<String, Object> only(String kind) {
    List<Map<String, Object>> matching =
        objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    if (matching.size() != 1) {
      throw new AssertionError("expected one " + kind + ", rendered " + kinds());
    }
    return matching.getFirst();
  }

  /** The object of {@code kind} named {@code name}. */
  Map<String, Object> named(String kind, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(get(o, "metadata.name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + kinds()));
  }

  /**
   * The value at {@code path} (dots between keys, {@code [i]} for list items, {@code [name=value]}
   * for the list item whose {@code name} is {@code value}); fails naming the path when a step is
   * missing.
   */
  @SuppressWarnings("unchecked")
  static <T> T get(Object root, String path) {
    Object node = root;
    for (String step : path.split("\\.(?![^\\[]*\\])")) {
      String key = step.contains("[") ? step.substring(0, step.indexOf('[')) : step;
      if (!key.isEmpty()) {
        node = field(node, key, path);
      }
      int open = step.indexOf('[');
      while (open >= 0) {
        int close = step.indexOf(']', open);
        node = item((List<Object>) node, step.substring(open + 1, close), path);
        open = step.indexOf('[', close);
      }
    }
    return (T) node;
  }

  private static Object field(Object node, String key, String path) {
    if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
      throw new AssertionError("no '" + key + "' on the way to " + path + " in " + node);
    }
    return map.get(key);
  }

  private static Object item(List<Object> list, String selector, String path) {
    int equals = selector.indexOf('=');
    if (equals < 0) {
      return list.get(Integer.parseInt(selector));
    }
    String key = selector.substring(0, equals);
    String value = selector.substring(equals + 1);
    return list.stream()
        .filter(i -> i instanceof Map<?, ?> m && Objects.equals(String.valueOf(m.get(key)), value))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no [" + selector + "] on the way to " + path));
  }
}
