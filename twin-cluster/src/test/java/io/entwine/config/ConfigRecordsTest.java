package io.entwine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.entwine.config.ConfigRecords.Key;
import io.entwine.twin.TwinSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigRecordsTest {
  record Sample(
      int maxPerOrganization,
      long bigCount,
      double ratio,
      boolean enabled,
      String name,
      @Key("retry.min-backoff") Duration minBackoff,
      Nested nested) {}

  record Nested(int size) {}

  record Checked(int size) {
    Checked {
      if (size < 0) {
        throw new IllegalArgumentException("size must not be negative");
      }
    }
  }

  record Unsupported(Object anything) {}

  private static final String SAMPLE =
      "s { max-per-organization = 3, big-count = 5000000000, ratio = 0.5, enabled = true,"
          + " name = x, retry.min-backoff = 2s, nested.size = 7 }";

  @Test
  void readsEveryComponentFromItsKebabCaseKeyOrItsNamedKeyAndRecordsFromTheirSection() {
    assertEquals(
        new Sample(3, 5_000_000_000L, 0.5, true, "x", Duration.ofSeconds(2), new Nested(7)),
        ConfigRecords.read(ConfigFactory.parseString(SAMPLE), "s", Sample.class));
  }

  @Test
  void aMissingKeyFailsNamingItsPath() {
    ConfigException.Missing missing =
        assertThrows(
            ConfigException.Missing.class,
            () ->
                ConfigRecords.read(
                    ConfigFactory.parseString("s { ratio = 0.5 }"), "s", Sample.class));
    assertTrue(missing.getMessage().contains("max-per-organization"), missing.getMessage());
  }

  @Test
  void aValueTheRecordRefusesFailsNamingTheSection() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ConfigRecords.read(
                    ConfigFactory.parseString("s { size = -1 }"), "s", Checked.class));
    assertTrue(refused.getMessage().contains("Settings s are not valid"), refused.getMessage());
  }

  @Test
  void anUnsupportedComponentTypeFails() {
    assertThrows(
        IllegalStateException.class,
        () ->
            ConfigRecords.read(
                ConfigFactory.parseString("s { anything = 1 }"), "s", Unsupported.class));
  }

  @Test
  void readsTheTwinSettingsDefaults() {
    assertEquals(
        new TwinSettings(100, 2, 100, 100, Duration.ofHours(1), Duration.ofMinutes(5)),
        TwinSettings.from(ConfigFactory.defaultReference()));
  }
}
