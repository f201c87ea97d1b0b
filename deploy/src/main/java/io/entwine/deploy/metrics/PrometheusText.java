package io.entwine.deploy.metrics;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): each family's {@code # HELP} and
 * {@code # TYPE} lines, then its samples. Small enough not to need a metrics library.
 */
final class PrometheusText {
  private final StringBuilder text = new StringBuilder();

  PrometheusText gauge(String name, String help) {
    return family(name, "gauge", help);
  }

  PrometheusText counter(String name, String help) {
    return family(name, "counter", help);
  }

  /** One sample of the family declared last; {@code labels} are name, value, name, value, … */
  PrometheusText sample(String name, double value, String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("Labels come in name/value pairs");
    }
    text.append(name);
    if (labels.length > 0) {
      text.append('{');
      for (int i = 0; i < labels.length; i += 2) {
        if (i > 0) {
          text.append(',');
        }
        text.append(labels[i]).append("=\"").append(escaped(labels[i + 1])).append('"');
      }
      text.append('}');
    }
    text.append(' ').append(number(value)).append('\n');
    return this;
  }

  String text() {
    return text.toString();
  }

  private PrometheusText family(String name, String type, String help) {
    text.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\"));
    text.append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  private static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  private static String escaped(String labelValue) {
    return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
