package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.entwine.identity.DeviceKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientIdsTest {

  @Test
  void readsDeviceClientIds() {
    assertEquals(
        new ClientIds.Device(new DeviceKey("acme", "thermostat", "lab-1")),
        ClientIds.parse("d:acme:thermostat:lab-1"));
  }

  @Test
  void readsGatewayClientIds() {
    assertEquals(
        new ClientIds.Gateway(new DeviceKey("acme", "gwtype", "gw-1")),
        ClientIds.parse("g:acme:gwtype:gw-1"));
  }

  @Test
  void readsApplicationClientIds() {
    assertEquals(
        new ClientIds.Application("acme", "dash_1.a-b"), ClientIds.parse("a:acme:dash_1.a-b"));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "d:acme:thermostat",
        "d:acme:thermostat:lab-1:extra",
        "d:ACME:thermostat:lab-1",
        "d:ac-me:thermostat:lab-1",
        "d::thermostat:lab-1",
        "d:acme::lab-1",
        "d:acme:thermostat:",
        "d:acme:thermo stat:lab-1",
        "d:acme:thermostat:thirty-three-characters-long-id-x",
        "a:acme",
        "a:acme:",
        "a:acme:my app",
        "a:acme:app:with:colons",
        "a:Acme:app",
        "g:acme:gwtype",
        "g:ACME:gwtype:gw-1",
        "g:acme:gw type:gw-1",
        "x:acme:thermostat:lab-1",
        "paho12345",
        "D:acme:thermostat:lab-1"
      })
  void refusesEverythingElse(String clientId) {
    assertInstanceOf(ClientIds.Invalid.class, ClientIds.parse(clientId), String.valueOf(clientId));
  }
}
