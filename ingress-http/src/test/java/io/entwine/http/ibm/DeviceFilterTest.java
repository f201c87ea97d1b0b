package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.entwine.protocol.DeviceProfile;
import io.entwine.registry.view.RegisteredDevice;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** IBM's deviceInfo filters of the v0002 device lists. */
class DeviceFilterTest {
  private static final RegisteredDevice ACME_X1 = device("Acme", "X1");
  private static final RegisteredDevice BARE =
      new RegisteredDevice("o", "t", "bare", null, true, "k", "apikey", Instant.EPOCH, null);

  @Test
  void everyGivenFieldMustEqualOrStartWithThePrefix() {
    DeviceFilter exact = valid(Map.of("deviceInfo.manufacturer", "Acme", "deviceInfo.model", "X1"));
    DeviceFilter prefix = valid(Map.of("deviceInfo.manufacturer", "Ac*"));
    DeviceFilter other = valid(Map.of("deviceInfo.manufacturer", "Acme", "deviceInfo.model", "X"));

    assertTrue(exact.test(ACME_X1));
    assertTrue(prefix.test(ACME_X1));
    assertFalse(other.test(ACME_X1), "X is no prefix without a *");
    assertFalse(prefix.test(BARE), "a device without deviceInfo matches no filter");
  }

  @Test
  void otherParametersAreNoFilter() {
    DeviceFilter none = valid(Map.of("_limit", "2", "deviceId", "x*", "typeId", "t"));

    assertTrue(none.isEmpty());
    assertTrue(none.test(BARE));
  }

  @Test
  void unknownFieldsEmptyValuesAndFiltersEntwineDoesNotServeAreRefusedByName() {
    assertEquals("deviceInfo.colour", invalidName(Map.of("deviceInfo.colour", "red")));
    assertEquals("deviceInfo.model", invalidName(Map.of("deviceInfo.model", "")));
    assertEquals("deviceInfo.model", invalidName(Map.of("deviceInfo.model", "*")));
    for (String unsupported :
        new String[] {"gatewayId", "status.alert.enabled", "mgmt.dormant", "_facets"}) {
      assertEquals(unsupported, invalidName(Map.of(unsupported, "x")));
    }
  }

  private static DeviceFilter valid(Map<String, String> parameters) {
    return assertInstanceOf(DeviceFilter.Valid.class, DeviceFilter.of(parameters)).filter();
  }

  /** The parameter the refusal's message starts with, or names after "filter ". */
  private static String invalidName(Map<String, String> parameters) {
    String message =
        assertInstanceOf(DeviceFilter.Invalid.class, DeviceFilter.of(parameters)).message();
    String name = parameters.keySet().iterator().next();
    assertTrue(message.contains(name), message);
    return name;
  }

  private static RegisteredDevice device(String manufacturer, String model) {
    return new RegisteredDevice(
        "o",
        "t",
        "d",
        null,
        true,
        "k",
        "apikey",
        Instant.EPOCH,
        new DeviceProfile(
            JsonNodeFactory.instance
                .objectNode()
                .put("manufacturer", manufacturer)
                .put("model", model),
            null));
  }
}
