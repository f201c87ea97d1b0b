package io.entwine.deploy.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gauges of one name whose series come and go with what a scrape found (projection slices, entity
 * types): {@link #set} registers a gauge for each new set of tag values and removes those no longer
 * found, so a series that could not be read is missing rather than stale.
 */
final class GaugeFamily {
  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final String baseUnit;
  private final List<String> tagKeys;
  private final Map<List<String>, Double> values = new ConcurrentHashMap<>();
  private final Map<List<String>, Gauge> gauges = new HashMap<>();

  GaugeFamily(
      MeterRegistry registry,
      String name,
      String description,
      String baseUnit,
      List<String> tagKeys) {
    this.registry = registry;
    this.name = name;
    this.description = description;
    this.baseUnit = baseUnit;
    this.tagKeys = List.copyOf(tagKeys);
  }

  /** The family's series from now on: tag values (in the order of the tag keys) → value. */
  synchronized void set(Map<List<String>, Double> current) {
    gauges
        .entrySet()
        .removeIf(
            entry -> {
              if (current.containsKey(entry.getKey())) {
                return false;
              }
              registry.remove(entry.getValue());
              values.remove(entry.getKey());
              return true;
            });
    values.putAll(current);
    current.keySet().forEach(tags -> gauges.computeIfAbsent(tags, this::register));
  }

  private Gauge register(List<String> tagValues) {
    Gauge.Builder<Map<List<String>, Double>> gauge =
        Gauge.builder(name, values, v -> v.getOrDefault(tagValues, Double.NaN))
            .description(description)
            .baseUnit(baseUnit)
            .strongReference(true);
    for (int i = 0; i < tagKeys.size(); i++) {
      gauge.tag(tagKeys.get(i), tagValues.get(i));
    }
    return gauge.register(registry);
  }
}
