package io.entwine.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdsTest {
  private static final String MAX_LENGTH = "a".repeat(32);
  private static final String TOO_LONG = "a".repeat(33);

  @Test
  void devicePartAllowsUpTo32LettersDigitsDashUnderscoreAndDot() {
    for (String valid : new String[] {"a", "Sensor-1", "my_device.v2", "A-Z.a-z_0-9", MAX_LENGTH}) {
      assertEquals(Optional.empty(), Ids.checkDevicePart("device id", valid), valid);
    }
  }

  @Test
  void devicePartRejectsLongOrEmptyOrOtherCharacters() {
    for (String invalid :
        new String[] {TOO_LONG, "", "a/b", "a b", "a:b", "a+b", "a#b", "ünïcode", "a\n"}) {
      assertTrue(Ids.checkDevicePart("device id", invalid).isPresent(), invalid);
    }
    assertTrue(Ids.checkDevicePart("device id", null).isPresent());
  }

  @Test
  void devicePartErrorNamesTheFieldTheValueAndTheRule() {
    String error = Ids.checkDevicePart("device type", "bad/type").orElseThrow();

    assertTrue(error.contains("device type"), error);
    assertTrue(error.contains("'bad/type'"), error);
    assertTrue(error.endsWith(Ids.DEVICE_ID_RULE), error);
    assertTrue(Ids.DEVICE_ID_RULE.contains("32"), Ids.DEVICE_ID_RULE);
  }

  @Test
  void eventIdFollowsTheSameRule() {
    assertEquals(Optional.empty(), Ids.checkEventId("status.update-1_x"));
    assertEquals(Optional.empty(), Ids.checkEventId(MAX_LENGTH));
    String error = Ids.checkEventId(TOO_LONG).orElseThrow();
    assertTrue(error.contains("event id"), error);
    assertTrue(error.endsWith(Ids.DEVICE_ID_RULE), error);
    assertTrue(Ids.checkEventId("a+b").isPresent());
    assertTrue(Ids.checkEventId("").isPresent());
    assertTrue(Ids.checkEventId(null).isPresent());
  }

  @Test
  void orgIdIsUpTo32LowercaseLettersAndDigits() {
    assertTrue(Ids.isOrgId("myorg1"));
    assertTrue(Ids.isOrgId("a"));
    assertTrue(Ids.isOrgId(MAX_LENGTH));
    assertFalse(Ids.isOrgId(TOO_LONG));
    assertFalse(Ids.isOrgId(""));
    assertFalse(Ids.isOrgId("MyOrg"));
    assertFalse(Ids.isOrgId("my-org"));
    assertFalse(Ids.isOrgId(null));
    assertTrue(Ids.isOrgId("default_tenant"));
  }

  @Test
  void honoTenantNamesAreOrganizationIdsWithoutRegardToCase() {
    assertEquals(Optional.of("default_tenant"), Ids.tenantOrg("DEFAULT_TENANT"));
    assertEquals(Optional.of("acme"), Ids.tenantOrg("acme"));
    assertEquals(Optional.empty(), Ids.tenantOrg("my-tenant"));
    assertEquals(Optional.empty(), Ids.tenantOrg(null));
  }

  @Test
  void apiKeyNamesItsOrganization() {
    String key = Ids.apiKey("myorg", "abcdefghij");

    assertEquals("a-myorg-abcdefghij", key);
    assertEquals(Optional.of("myorg"), Ids.organizationOfApiKey(key));
  }

  @Test
  void organizationOfMalformedApiKeyIsEmpty() {
    for (String key :
        new String[] {
          "", "a-", "a-myorg", "b-myorg-abc", "a--abc", "a-MyOrg-abc", "a-my.org-abc"
        }) {
      assertEquals(Optional.empty(), Ids.organizationOfApiKey(key), key);
    }
    assertEquals(Optional.empty(), Ids.organizationOfApiKey(null));
  }

  @Test
  void deviceKeyEntityIdRoundTrips() {
    DeviceKey key = new DeviceKey("myorg", "sensor", "dev.1");

    assertEquals("myorg/sensor/dev.1", key.entityId());
    assertEquals("d:myorg:sensor:dev.1", key.uuid());
    assertEquals(key, DeviceKey.fromEntityId(key.entityId()));
    assertThrows(IllegalArgumentException.class, () -> DeviceKey.fromEntityId("myorg/sensor"));
  }
}
