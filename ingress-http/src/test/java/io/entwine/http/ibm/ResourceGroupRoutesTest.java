package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.identity.DeviceKey;
import io.entwine.twin.TwinEvent;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * IBM's gateway access control (ADR 0074): a gateway's resource group, its members and its role,
 * with gateway HTTP publishing as the proof that membership and role are enforced.
 */
class ResourceGroupRoutesTest extends ApiRouteTest {

  ResourceGroupRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @Test
  void aDeviceAddedToTheGroupIsActedForAndRemovedIsRefused() {
    ApiKey key = organizationWithApiKey("rg");
    Device gateway = registerDevice(key, "hub", "gw-1");
    Device inside = registerDevice(key, "sensor", "s-1");
    Device outside = registerDevice(key, "sensor", "s-2");
    String group = "gw_def_res_grp:" + key.org() + ":hub:gw-1";

    TestRouteResult added =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.PUT(
                        "/api/v0002/bulk/devices/" + group.replace(":", "%3A") + "/add"),
                    "[{\"typeId\":\"sensor\",\"deviceId\":\"s-1\"},"
                        + "{\"typeId\":\"hub\",\"deviceId\":\"gw-1\"}]")));
    assertEquals(StatusCodes.OK, added.status(), added.entityString());
    assertEquals(StatusCodes.OK, publish(gateway, inside.key()).status());
    assertError(publish(gateway, outside.key()), StatusCodes.FORBIDDEN, "gw-1");
    assertEquals(0, recorded(outside.key()));

    JsonNode ids = body(get(key, "/api/v0002/bulk/devices/" + group + "/ids"));
    assertEquals(1, ids.get("meta").get("total_rows").asInt());
    assertEquals("s-1", ids.get("results").get(0).get("deviceId").asText());
    JsonNode members = body(get(key, "/api/v0002/bulk/devices/" + group));
    assertEquals(
        "d:" + key.org() + ":sensor:s-1", members.get("results").get(0).get("clientId").asText());
    JsonNode access =
        body(get(key, "/api/v0002/authorization/devices/d%3A" + key.org() + "%3Asensor%3As-1"));
    assertEquals(group, access.get("results").get(0).get("resourceGroups").get(0).asText());

    TestRouteResult removed =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.PUT("/api/v0002/bulk/devices/" + group + "/remove"),
                    "[{\"typeId\":\"sensor\",\"deviceId\":\"s-1\"}]")));
    assertEquals(StatusCodes.OK, removed.status(), removed.entityString());
    assertError(publish(gateway, inside.key()), StatusCodes.FORBIDDEN, "gw-1");
    assertEquals(1, recorded(inside.key()));
  }

  @Test
  void aStandardGatewayMayNotRegisterDevicesAndThePrivilegedRoleGivesThatBack() {
    ApiKey key = organizationWithApiKey("rg");
    Device gateway = registerDevice(key, "hub", "gw-2");
    String client = "/api/v0002/authorization/devices/g:" + key.org() + ":hub:gw-2/roles";
    String group = "gw_def_res_grp:" + key.org() + ":hub:gw-2";

    JsonNode before = body(get(key, client));
    assertEquals("PD_PRIVILEGED_GW_DEVICE", before.get("roles").get(0).get("roleId").asText());
    TestRouteResult standard = setRole(key, client, "PD_STANDARD_GW_DEVICE");
    assertEquals(StatusCodes.OK, standard.status(), standard.entityString());
    assertEquals(
        group, body(standard).get("rolesToGroups").get("PD_STANDARD_GW_DEVICE").get(0).asText());
    assertEquals(
        group, body(get(key, "/api/v0002/groups")).get("results").get(0).get("id").asText());
    assertEquals(StatusCodes.OK, get(key, "/api/v0002/groups/" + group).status());

    DeviceKey fresh = new DeviceKey(key.org(), "sensor", "new-1");
    assertError(publish(gateway, fresh), StatusCodes.FORBIDDEN, "standard gateway role");
    assertEquals(0, cluster.twinEvents(fresh).size(), "nothing registered");

    assertEquals(StatusCodes.OK, setRole(key, client, "PD_PRIVILEGED_GW_DEVICE").status());
    assertEquals(StatusCodes.OK, publish(gateway, fresh).status());
    assertEquals(0, body(get(key, "/api/v0002/groups")).get("results").size());
  }

  @Test
  void badInputIsRefusedPreciselyAndChangesNothing() {
    ApiKey key = organizationWithApiKey("rg");
    registerDevice(key, "hub", "gw-3");
    Device device = registerDevice(key, "sensor", "s-3");
    ApiKey other = organizationWithApiKey("rg");
    String group = "gw_def_res_grp:" + key.org() + ":hub:gw-3";
    String roles = "/api/v0002/authorization/devices/g:" + key.org() + ":hub:gw-3/roles";

    assertError(
        put(key, "/api/v0002/bulk/devices/" + group + "/add", "{}"),
        StatusCodes.BAD_REQUEST,
        "array");
    assertError(
        put(key, "/api/v0002/bulk/devices/" + group + "/add", "[{\"typeId\":\"sensor\"}]"),
        StatusCodes.BAD_REQUEST,
        "deviceId");
    assertError(
        put(
            key,
            "/api/v0002/bulk/devices/" + group + "/add",
            "[{\"typeId\":\"sensor\",\"deviceId\":\"s-3\"},{\"typeId\":\"sensor\",\"deviceId\":\"nope\"}]"),
        StatusCodes.NOT_FOUND,
        "nope");
    assertEquals(0, via(device.key()), "s-3 not added when another device of the list is unknown");
    assertError(get(other, "/api/v0002/bulk/devices/" + group), StatusCodes.NOT_FOUND, group);
    assertError(get(key, "/api/v0002/groups/nonsense"), StatusCodes.NOT_FOUND, "nonsense");
    assertError(
        get(key, "/api/v0002/groups/gw_def_res_grp:" + key.org() + ":hub:absent"),
        StatusCodes.NOT_FOUND,
        "absent");
    assertError(
        setRole(key, roles, "PD_ADMIN_APP"), StatusCodes.BAD_REQUEST, "PD_STANDARD_GW_DEVICE");
    assertError(
        put(
            key,
            roles,
            "{\"roles\":[{\"roleId\":\"PD_STANDARD_GW_DEVICE\"}],\"rolesToGroups\":{\"PD_STANDARD_GW_DEVICE\":[\"elsewhere\"]}}"),
        StatusCodes.BAD_REQUEST,
        "own resource group");
    assertError(
        put(
            key,
            "/api/v0002/authorization/devices/d:" + key.org() + ":sensor:s-3/roles",
            "{\"roles\":[{\"roleId\":\"PD_STANDARD_GW_DEVICE\"}]}"),
        StatusCodes.BAD_REQUEST,
        "g:ORG:TYPE:ID");
    assertError(
        setRole(other, roles.replace(key.org(), other.org()), "PD_STANDARD_GW_DEVICE"),
        StatusCodes.NOT_FOUND,
        "gw-3");
    assertEquals(
        StatusCodes.METHOD_NOT_ALLOWED,
        post(key, "/api/v0002/groups", "{\"name\":\"mine\"}").status(),
        "groups of their own are not created");
    assertEquals(
        StatusCodes.METHOD_NOT_ALLOWED,
        delete(key, "/api/v0002/groups/" + group).status(),
        "a gateway's group is not removed");
    assertEquals(0, body(get(key, "/api/v0002/groups")).get("results").size());
  }

  private TestRouteResult setRole(ApiKey key, String path, String role) {
    return put(key, path, "{\"roles\":[{\"roleId\":\"" + role + "\",\"roleStatus\":1}]}");
  }

  private TestRouteResult get(ApiKey key, String path) {
    return api.run(withApiKey(key, HttpRequest.GET(path)));
  }

  private TestRouteResult put(ApiKey key, String path, String json) {
    return api.run(withApiKey(key, withJson(HttpRequest.PUT(path), json)));
  }

  private TestRouteResult post(ApiKey key, String path, String json) {
    return api.run(withApiKey(key, withJson(HttpRequest.POST(path), json)));
  }

  private TestRouteResult delete(ApiKey key, String path) {
    return api.run(withApiKey(key, HttpRequest.DELETE(path)));
  }

  private TestRouteResult publish(Device gateway, DeviceKey device) {
    String path =
        "/api/v0002/device/types/" + device.type() + "/devices/" + device.id() + "/events/temp";
    return api.run(
        toOrg(
            gateway.org(),
            withJson(HttpRequest.POST(path), "{\"d\":{\"v\":1}}")
                .addCredentials(
                    basic(
                        "g/" + gateway.org() + "/" + gateway.type() + "/" + gateway.id(),
                        gateway.password()))));
  }

  private long recorded(DeviceKey device) {
    return cluster.twinEvents(device).stream()
        .filter(e -> e instanceof TwinEvent.EventRecorded || e instanceof TwinEvent.EventsRecorded)
        .count();
  }

  private long via(DeviceKey device) {
    return cluster.twinEvents(device).stream()
        .filter(e -> e instanceof TwinEvent.GatewaysSet)
        .count();
  }
}
