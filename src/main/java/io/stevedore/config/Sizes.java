package io.stevedore.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as operators write them: {@code 1024}, {@code 400MiB}, {@code 50GiB}, {@code 2GB}. */
public final class Sizes {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  /**
   * Parses a size; binary units (KiB, MiB, GiB, TiB) count in 1024s, decimal ones (KB, MB, GB, TB)
   * in 1000s, and a bare K/M/G/T means the binary unit.
   *
   * @throws IllegalArgumentException with a message that shows the accepted forms
   */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size (examples: 1048576, 400MiB, 50GiB, 2GB)");
    }
    long number = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    if (unit.equals("b")) {
      return number;
    }
    boolean decimal = unit.length() == 2 && unit.charAt(1) == 'b';
    long base = decimal ? 1000 : 1024;
    int power = "kmgt".indexOf(unit.charAt(0)) + 1;
    long multiplier = 1;
    for (int i = 0; i < power; i++) {
      multiplier *= base;
    }
    try {
      return Math.multiplyExact(number, multiplier);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too large", e);
    }
  }
}
