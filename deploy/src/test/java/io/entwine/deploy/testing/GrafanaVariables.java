package io.entwine.deploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A dashboard's variables as Grafana substitutes them into a Prometheus query before sending it
 * (Grafana documentation, "Variable syntax", "Global variables" and "Prometheus template
 * variables"): {@code $name}, {@code ${name}} and {@code [[name]]}.
 *
 * <ul>
 *   <li>A query variable {@code label_values(metric, label)} takes the label's values on the
 *       metric's series; with "All" selected (the dashboards' default) on a multi-value variable,
 *       Prometheus receives every value regex-escaped, in one alternation {@code (a|b)}.
 *   <li>{@code $__interval} is the dashboard's time range over about 1,000 points, never below the
 *       data source's scrape interval; {@code $__rate_interval} is the larger of {@code
 *       $__interval} plus one scrape interval and four scrape intervals; {@code $__range} is the
 *       time range.
 * </ul>
 *
 * A variable of another kind, or an unknown name, fails the substitution, naming it.
 */
public final class GrafanaVariables {
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*([^,\\s)]+)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");
  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\[\\[(\\w+)]]|\\$(\\w+)");
  private static final Pattern RELATIVE_FROM = Pattern.compile("now-(\\d+)([smhd])");
  private static final Pattern REGEX_SPECIAL = Pattern.compile("[\\\\$^*+?.()|\\[\\]{}]");
  private static final int MAX_DATA_POINTS = 1000;

  private final Map<String, String> values;

  private GrafanaVariables(Map<String, String> values) {
    this.values = values;
  }

  /**
   * The variables of {@code dashboard}, with {@code labelValues} answering {@code label_values}
   * (metric, label → values) and Prometheus scraping every {@code scrapeInterval}.
   */
  public static GrafanaVariables of(
      JsonNode dashboard,
      BiFunction<String, String, List<String>> labelValues,
      Duration scrapeInterval) {
    Map<String, String> values = new HashMap<>();
    Duration range = range(dashboard.path("time").path("from").asText());
    long intervalSeconds =
        Math.max(scrapeInterval.toSeconds(), ceilDiv(range.toSeconds(), MAX_DATA_POINTS));
    long rateIntervalSeconds =
        Math.max(intervalSeconds + scrapeInterval.toSeconds(), 4 * scrapeInterval.toSeconds());
    values.put("__interval", intervalSeconds + "s");
    values.put("__rate_interval", rateIntervalSeconds + "s");
    values.put("__range", range.toSeconds() + "s");
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      String name = variable.path("name").asText();
      switch (variable.path("type").asText()) {
        case "datasource" -> values.put(name, "prometheus");
        case "query" -> values.put(name, allValues(variable, labelValues));
        default ->
            throw new IllegalArgumentException(
                "variable " + name + " of type " + variable.path("type") + " is not supported");
      }
    }
    return new GrafanaVariables(values);
  }

  private static String allValues(
      JsonNode variable, BiFunction<String, String, List<String>> labelValues) {
    String definition =
        variable.path("query").isTextual()
            ? variable.path("query").asText()
            : variable.path("query").path("query").asText();
    Matcher query = LABEL_VALUES.matcher(definition);
    if (!query.matches()) {
      throw new IllegalArgumentException(
          "variable " + variable.path("name").asText() + ": only label_values(metric, label)");
    }
    List<String> escaped =
        labelValues.apply(query.group(1), query.group(2)).stream()
            .map(GrafanaVariables::regexEscaped)
            .toList();
    boolean multi = variable.path("multi").asBoolean() || variable.path("includeAll").asBoolean();
    if (escaped.isEmpty()) {
      throw new IllegalStateException(
          "variable " + variable.path("name").asText() + ": " + definition + " has no values");
    }
    if (!multi || escaped.size() == 1) {
      return escaped.get(0);
    }
    return escaped.stream().collect(Collectors.joining("|", "(", ")"));
  }

  /**
   * The value as a regular expression matching it literally, written inside a PromQL string literal
   * (where each backslash is doubled).
   */
  private static String regexEscaped(String value) {
    String regex =
        REGEX_SPECIAL.matcher(value).replaceAll(m -> Matcher.quoteReplacement("\\" + m.group()));
    return regex.replace("\\", "\\\\");
  }

  private static Duration range(String from) {
    Matcher relative = RELATIVE_FROM.matcher(from);
    if (!relative.matches()) {
      throw new IllegalArgumentException("time range from " + from + " is not now-N[smhd]");
    }
    long amount = Long.parseLong(relative.group(1));
    return switch (relative.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  private static long ceilDiv(long dividend, long divisor) {
    return (dividend + divisor - 1) / divisor;
  }

  /** {@code expr} with every variable replaced by its value. */
  public String substitute(String expr) {
    return REFERENCE
        .matcher(expr)
        .replaceAll(
            reference -> {
              String name =
                  reference.group(1) != null
                      ? reference.group(1)
                      : reference.group(2) != null ? reference.group(2) : reference.group(3);
              String value = values.get(name);
              if (value == null) {
                throw new IllegalArgumentException("unknown variable $" + name + " in " + expr);
              }
              return Matcher.quoteReplacement(value);
            });
  }
}
