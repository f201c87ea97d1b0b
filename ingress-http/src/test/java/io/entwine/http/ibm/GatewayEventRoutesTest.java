package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.GatewayEvents;
import io.entwine.twin.TwinEvent;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * IBM gateways publishing over HTTP ({@code g/ORG/TYPE/ID} and the gateway's token) for themselves
 * and for the devices they act for (docs/adr/0057).
 */
class GatewayEventRoutesTest extends ApiRouteTest {

  GatewayEventRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @Test
  void recordsTheGatewaysOwnEventsAndThoseOfADeviceThatListsIt() {
    ApiKey key = organizationWithApiKey("gw");
    Device gateway = registerDevice(key, "hub", "gw-a");
    Device behind = registerDevice(key, "sensor", "s-a");
    setVia(key, behind, gateway.id());

    assertEquals(StatusCodes.OK, publish(gateway, gateway, "up").status());
    TestRouteResult forDevice = publish(gateway, behind, "temp");

    assertEquals(StatusCodes.OK, forDevice.status(), forDevice.entityString());
    assertEquals(1, recorded(gateway.key()));
    assertEquals(1, recorded(behind.key()));
  }

  @Test
  void registersAnUnknownDeviceForTheGatewayAndRecordsItsEvent() {
    ApiKey key = organizationWithApiKey("gw");
    Device gateway = registerDevice(key, "hub", "gw-b");
    DeviceKey fresh = new DeviceKey(key.org(), "new-type", "n-1");

    TestRouteResult published = publish(gateway, fresh, "temp");

    assertEquals(StatusCodes.OK, published.status(), published.entityString());
    List<Object> events = cluster.twinEvents(fresh);
    TwinEvent.DeviceRegistered registered = (TwinEvent.DeviceRegistered) events.get(0);
    assertEquals(GatewayEvents.clientId(gateway.key()), registered.registeredBy());
    assertEquals(GatewayEvents.REGISTERED_BY_GATEWAY, registered.registeredByType());
    assertTrue(events.contains(new TwinEvent.GatewaysSet(List.of(gateway.key()), at(events))));
    assertEquals(1, recorded(fresh));
    TestRouteResult type =
        api.run(withApiKey(key, HttpRequest.GET("/api/v0002/device/types/new-type")));
    assertEquals(StatusCodes.OK, type.status(), "IBM creates the type of a device it registers");
  }

  @Test
  void refusesADeviceThatDoesNotListTheGatewayAndRecordsNothing() {
    ApiKey key = organizationWithApiKey("gw");
    Device gateway = registerDevice(key, "hub", "gw-c");
    Device other = registerDevice(key, "sensor", "s-c");

    assertError(publish(gateway, other.key(), "temp"), StatusCodes.FORBIDDEN, "gw-c");
    assertEquals(0, recorded(other.key()));
  }

  @Test
  void refusesAWrongTokenAndAnotherOrganizationsGateway() {
    ApiKey key = organizationWithApiKey("gw");
    Device gateway = registerDevice(key, "hub", "gw-d");
    Device behind = registerDevice(key, "sensor", "s-d");
    setVia(key, behind, gateway.id());
    ApiKey otherKey = organizationWithApiKey("gw");
    Device foreign = registerDevice(otherKey, "hub", "gw-d");

    TestRouteResult wrongToken =
        api.run(
            toOrg(
                key.org(),
                withJson(HttpRequest.POST(behind.eventsPath() + "/temp"), "{}")
                    .addCredentials(basic(username(gateway.key()), "wrong"))));
    TestRouteResult crossed =
        api.run(
            toOrg(
                key.org(),
                withJson(HttpRequest.POST(behind.eventsPath() + "/temp"), "{}")
                    .addCredentials(basic(username(foreign.key()), foreign.password()))));

    assertEquals(StatusCodes.UNAUTHORIZED, wrongToken.status(), wrongToken.entityString());
    assertError(crossed, StatusCodes.FORBIDDEN, "does not belong to organization " + key.org());
    assertEquals(0, recorded(behind.key()));
  }

  private TestRouteResult publish(Device gateway, Device device, String eventId) {
    return publish(gateway, device.key(), eventId);
  }

  private TestRouteResult publish(Device gateway, DeviceKey device, String eventId) {
    String path =
        "/api/v0002/device/types/" + device.type() + "/devices/" + device.id() + "/events/";
    return api.run(
        toOrg(
            gateway.org(),
            withJson(HttpRequest.POST(path + eventId), "{\"d\":{\"v\":1}}")
                .addCredentials(basic(username(gateway.key()), gateway.password()))));
  }

  private static String username(DeviceKey gateway) {
    return "g/" + gateway.org() + "/" + gateway.type() + "/" + gateway.id();
  }

  private long recorded(DeviceKey device) {
    return cluster.twinEvents(device).stream()
        .filter(e -> e instanceof TwinEvent.EventRecorded || e instanceof TwinEvent.EventsRecorded)
        .count();
  }

  private static java.time.Instant at(List<Object> events) {
    return events.stream()
        .filter(e -> e instanceof TwinEvent.GatewaysSet)
        .map(e -> ((TwinEvent.GatewaysSet) e).at())
        .findFirst()
        .orElse(null);
  }
}
