package io.entwine.deploy.cassandra;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fills {@code ${name}} placeholders in configuration and CQL templates. */
final class Placeholders {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

  private Placeholders() {}

  /**
   * Replaces every {@code ${name}} with its value.
   *
   * @throws IllegalArgumentException if the text names a placeholder without a value, so that a
   *     typo never reaches Cassandra as literal text
   */
  static String fill(String template, Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder filled = new StringBuilder(template.length());
    while (matcher.find()) {
      String name = matcher.group(1);
      String value = values.get(name);
      if (value == null) {
        throw new IllegalArgumentException(
            "No value for placeholder ${" + name + "}; known: " + values.keySet());
      }
      matcher.appendReplacement(filled, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(filled);
    return filled.toString();
  }
}
