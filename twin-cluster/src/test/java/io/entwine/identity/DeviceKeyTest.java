package io.entwine.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class DeviceKeyTest {

  @Test
  void residentTwinKeysShareOrganizationAndType() {
    DeviceKey one = DeviceKey.fromEntityId(new String("acme/sensor/1")).sharingOrgAndType();
    DeviceKey two = DeviceKey.fromEntityId(new String("acme/sensor/2")).sharingOrgAndType();
    assertSame(one.org(), two.org());
    assertSame(one.type(), two.type());
    assertEquals("1", one.id());
  }
}
