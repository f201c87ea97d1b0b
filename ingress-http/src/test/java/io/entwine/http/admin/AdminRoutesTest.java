package io.entwine.http.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.identity.Ids;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCredentials;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** The operator's API: organizations and their API keys. */
class AdminRoutesTest extends ApiRouteTest {

  AdminRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  // ---- operator authentication ----

  @Test
  void refusesOperatorCallWithoutBearerToken() {
    String org = uniqueOrg("adm");

    TestRouteResult result =
        api.run(withJson(HttpRequest.POST(ORGANIZATIONS), createBody(org, "Acme")));

    assertUnauthorized(result, "Bearer", "Operator token required");
    assertTrue(cluster.organizationEvents(org).isEmpty(), "nothing persisted");
  }

  @Test
  void refusesOperatorCallWithWrongBearerToken() {
    String org = uniqueOrg("adm");
    HttpRequest create = withJson(HttpRequest.POST(ORGANIZATIONS), createBody(org, "Acme"));

    TestRouteResult wrongToken =
        api.run(
            create.addCredentials(HttpCredentials.createOAuth2BearerToken("not-the-admin-token")));
    TestRouteResult basicInstead = api.run(create.addCredentials(basic("admin", ADMIN_TOKEN)));

    assertUnauthorized(wrongToken, "Bearer", "Operator token required");
    assertUnauthorized(basicInstead, "Bearer", "Operator token required");
    assertTrue(cluster.organizationEvents(org).isEmpty(), "nothing persisted");
  }

  @Test
  void refusesReadingAnOrganizationWithoutBearerToken() {
    String org = createOrganization(uniqueOrg("adm"));

    assertUnauthorized(
        api.run(HttpRequest.GET(ORGANIZATIONS + "/" + org)), "Bearer", "Operator token required");
    assertUnauthorized(
        api.run(HttpRequest.GET(ORGANIZATIONS + "/" + org + "/apikeys")),
        "Bearer",
        "Operator token required");
  }

  // ---- organizations ----

  @Test
  void createsOrganizationWithTheGivenId() {
    String org = uniqueOrg("adm");

    TestRouteResult created = api.run(asOperator(createRequest(createBody(org, "Acme Corp"))));

    assertEquals(StatusCodes.CREATED, created.status());
    JsonNode body = body(created);
    assertEquals(org, body.get("id").asText());
    assertEquals("Acme Corp", body.get("name").asText());
    assertTrue(body.hasNonNull("created"), body::toString);
    assertEquals(body.get("created"), body.get("updated"));
    assertEquals(1, cluster.organizationEvents(org).size());
  }

  @Test
  void generatesASixCharacterIdWhenNoneIsGiven() {
    TestRouteResult created = api.run(asOperator(createRequest("{\"name\":\"Generated\"}")));

    assertEquals(StatusCodes.CREATED, created.status());
    String id = body(created).get("id").asText();
    assertTrue(id.matches("[a-z0-9]{6}"), id);
    TestRouteResult read = api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + id)));
    assertEquals(StatusCodes.OK, read.status());
    assertEquals("Generated", body(read).get("name").asText());
  }

  @Test
  void rejectsAnInvalidOrganizationIdNamingTheRule() {
    for (String invalid : List.of("Upper", "with-dash", "a".repeat(33), "")) {
      TestRouteResult result = api.run(asOperator(createRequest(createBody(invalid, "Bad"))));

      assertError(result, StatusCodes.BAD_REQUEST, Ids.ORG_ID_RULE);
      assertTrue(cluster.organizationEvents(invalid).isEmpty(), "nothing persisted");
    }
  }

  @Test
  void requiresAName() {
    String org = uniqueOrg("adm");

    assertError(
        api.run(asOperator(createRequest("{\"id\":\"" + org + "\"}"))),
        StatusCodes.BAD_REQUEST,
        "'name' is required");
    assertError(
        api.run(asOperator(createRequest(createBody(org, "  ")))),
        StatusCodes.BAD_REQUEST,
        "'name' is required");
    assertError(
        api.run(asOperator(createRequest("{\"id\":\"" + org + "\",\"name\":42}"))),
        StatusCodes.BAD_REQUEST,
        "'id' and 'name' must be strings");
    assertTrue(cluster.organizationEvents(org).isEmpty(), "nothing persisted");
    assertOrganizationDoesNotExist(org);
  }

  @Test
  void rejectsABodyThatIsNotJson() {
    assertError(
        api.run(asOperator(createRequest("{\"name\": "))), StatusCodes.BAD_REQUEST, "Invalid JSON");
    assertError(
        api.run(asOperator(createRequest("name=Acme"))), StatusCodes.BAD_REQUEST, "Invalid JSON");
  }

  @Test
  void rejectsJsonFollowedByMoreContent() {
    String org = uniqueOrg("adm");

    TestRouteResult result =
        api.run(asOperator(createRequest(createBody(org, "Acme") + " {\"name\":\"Other\"}")));

    assertError(result, StatusCodes.BAD_REQUEST, "Invalid JSON");
    assertTrue(cluster.organizationEvents(org).isEmpty(), "nothing persisted");
  }

  @Test
  void rejectsABodyThatIsNotAJsonObject() {
    for (String notAnObject : List.of("[{\"name\":\"Acme\"}]", "\"Acme\"", "42", "null")) {
      assertError(
          api.run(asOperator(createRequest(notAnObject))),
          StatusCodes.BAD_REQUEST,
          "The body must be a JSON object");
    }
  }

  @Test
  void rejectsAnEmptyBody() {
    assertError(
        api.run(asOperator(HttpRequest.POST(ORGANIZATIONS))),
        StatusCodes.BAD_REQUEST,
        "A JSON object is required as body");
  }

  @Test
  void refusesADuplicateOrganization() {
    String org = uniqueOrg("adm");
    createOrganization(org);

    TestRouteResult again = api.run(asOperator(createRequest(createBody(org, "Impostor"))));

    assertError(again, StatusCodes.CONFLICT, "Organization '" + org + "' already exists");
    assertEquals(1, cluster.organizationEvents(org).size(), "nothing more persisted");
    TestRouteResult read = api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + org)));
    assertEquals("Org " + org, body(read).get("name").asText());
  }

  @Test
  void readsAnOrganization() {
    String org = createOrganization(uniqueOrg("adm"));

    TestRouteResult read = api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + org)));

    assertEquals(StatusCodes.OK, read.status());
    JsonNode body = body(read);
    assertEquals(org, body.get("id").asText());
    assertEquals("Org " + org, body.get("name").asText());
    assertTrue(body.hasNonNull("created") && body.hasNonNull("updated"), body::toString);
  }

  @Test
  void answersUnknownOrganizationWith404() {
    assertOrganizationDoesNotExist(uniqueOrg("adm"));
    assertError(
        api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/Not-An-Id"))),
        StatusCodes.NOT_FOUND,
        "Organization 'Not-An-Id' does not exist");
  }

  // ---- API keys ----

  @Test
  void createsAnApiKeyWithItsToken() {
    String org = createOrganization(uniqueOrg("adm"));

    TestRouteResult created =
        api.run(
            asOperator(
                withJson(
                    HttpRequest.POST(ORGANIZATIONS + "/" + org + "/apikeys"),
                    "{\"description\":\"dashboard\"}")));

    assertEquals(StatusCodes.CREATED, created.status());
    JsonNode body = body(created);
    String key = body.get("key").asText();
    String token = body.get("token").asText();
    assertTrue(key.matches("a-" + org + "-[a-z0-9]{10}"), key);
    assertEquals(20, token.length(), token);
    assertEquals("dashboard", body.get("description").asText());
    assertTrue(body.hasNonNull("created"), body::toString);
    TestRouteResult used =
        api.run(withApiKey(new ApiKey(org, key, token), HttpRequest.GET("/api/v0001/")));
    assertEquals(StatusCodes.OK, used.status(), "the new key works");
  }

  @Test
  void createsAnApiKeyFromAnEmptyBody() {
    String org = createOrganization(uniqueOrg("adm"));

    TestRouteResult created =
        api.run(asOperator(HttpRequest.POST(ORGANIZATIONS + "/" + org + "/apikeys")));

    assertEquals(StatusCodes.CREATED, created.status());
    JsonNode body = body(created);
    assertTrue(body.get("key").asText().matches("a-" + org + "-[a-z0-9]{10}"), body::toString);
    assertTrue(body.hasNonNull("token"), body::toString);
    assertFalse(body.has("description"), body::toString);
  }

  @Test
  void rejectsAnApiKeyDescriptionThatIsNotAString() {
    String org = createOrganization(uniqueOrg("adm"));

    TestRouteResult result =
        api.run(
            asOperator(
                withJson(
                    HttpRequest.POST(ORGANIZATIONS + "/" + org + "/apikeys"),
                    "{\"description\":{\"x\":1}}")));

    assertError(result, StatusCodes.BAD_REQUEST, "'description' must be a string");
    assertEquals(1, cluster.organizationEvents(org).size(), "no key persisted");
  }

  @Test
  void createsNoApiKeyForAnUnknownOrganization() {
    String org = uniqueOrg("adm");

    TestRouteResult result =
        api.run(asOperator(HttpRequest.POST(ORGANIZATIONS + "/" + org + "/apikeys")));

    assertError(result, StatusCodes.NOT_FOUND, "Organization '" + org + "' does not exist");
    assertTrue(cluster.organizationEvents(org).isEmpty(), "nothing persisted");
  }

  @Test
  void listsApiKeysWithoutTheirTokens() {
    String org = createOrganization(uniqueOrg("adm"));
    ApiKey first = createApiKey(org);
    ApiKey second = createApiKey(org);

    TestRouteResult listed =
        api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + org + "/apikeys")));

    assertEquals(StatusCodes.OK, listed.status());
    JsonNode body = body(listed);
    assertTrue(body.isArray(), body::toString);
    List<String> keys =
        StreamSupport.stream(body.spliterator(), false).map(k -> k.get("key").asText()).toList();
    assertEquals(sorted(List.of(first.key(), second.key())), sorted(keys));
    for (JsonNode key : body) {
      assertFalse(key.has("token"), key::toString);
      assertTrue(key.hasNonNull("created"), key::toString);
    }
    assertFalse(listed.entityString().contains(first.token()), "no token is listed");
    assertFalse(listed.entityString().contains(second.token()), "no token is listed");
  }

  @Test
  void revokesAnApiKeyWhichThenStopsWorking() {
    String org = createOrganization(uniqueOrg("adm"));
    ApiKey kept = createApiKey(org);
    ApiKey revoked = createApiKey(org);
    assertEquals(
        StatusCodes.OK, api.run(withApiKey(revoked, HttpRequest.GET("/api/v0001/"))).status());
    String keyPath = ORGANIZATIONS + "/" + org + "/apikeys/" + revoked.key();

    TestRouteResult deleted = api.run(asOperator(HttpRequest.DELETE(keyPath)));
    TestRouteResult deletedAgain = api.run(asOperator(HttpRequest.DELETE(keyPath)));

    assertEquals(StatusCodes.NO_CONTENT, deleted.status());
    assertEquals("", deleted.entityString());
    assertError(deletedAgain, StatusCodes.NOT_FOUND, revoked.key());
    assertUnauthorized(
        api.run(withApiKey(revoked, HttpRequest.GET("/api/v0001/"))),
        "Basic",
        Reply.Rejected.UNAUTHORIZED_MESSAGE);
    assertEquals(
        StatusCodes.OK, api.run(withApiKey(kept, HttpRequest.GET("/api/v0001/"))).status());
    JsonNode listed =
        body(api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + org + "/apikeys"))));
    assertEquals(1, listed.size(), listed::toString);
    assertEquals(kept.key(), listed.get(0).get("key").asText());
  }

  // ---- helpers ----

  private static HttpRequest createRequest(String body) {
    return withJson(HttpRequest.POST(ORGANIZATIONS), body);
  }

  private static String createBody(String id, String name) {
    return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\"}";
  }

  private void assertOrganizationDoesNotExist(String org) {
    assertError(
        api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + org))),
        StatusCodes.NOT_FOUND,
        "Organization '" + org + "' does not exist");
  }

  private static List<String> sorted(List<String> values) {
    return values.stream().sorted().toList();
  }

  // ---- trusted CAs for client certificates ----

  @Test
  void trustsACaByItsSubjectDnAndRefusesTheSameSubjectForAnotherTenant() throws Exception {
    String acme = createOrganization(uniqueOrg("ca"));
    String other = createOrganization(uniqueOrg("ca"));

    TestRouteResult trusted = putTrustAnchors(acme, trustedCa("acme-ca.pem"));
    assertEquals(StatusCodes.OK, trusted.status(), trusted.entityString());
    assertEquals(
        "CN=ACME Devices CA,O=ACME",
        body(trusted).get("trusted-ca").get(0).get("subject-dn").asText());
    TestRouteResult taken = putTrustAnchors(other, trustedCa("acme-ca-other-key.pem"));
    assertError(taken, StatusCodes.CONFLICT, "Another tenant already trusts");
    TestRouteResult listed =
        api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + other + "/trust-anchors")));
    assertEquals(0, body(listed).get("trusted-ca").size(), "nothing stored for the refused one");

    assertEquals(StatusCodes.OK, putTrustAnchors(acme, "{\"trusted-ca\":[]}").status());
    TestRouteResult freed = putTrustAnchors(other, trustedCa("acme-ca-other-key.pem"));
    assertEquals(StatusCodes.OK, freed.status(), "a CA no longer trusted frees its subject DN");
  }

  @Test
  void refusesTrustAnchorsThatAreNoCertificatesWith400() throws Exception {
    String org = createOrganization(uniqueOrg("ca"));

    assertError(putTrustAnchors(org, "{}"), StatusCodes.BAD_REQUEST, "'trusted-ca'");
    assertError(
        putTrustAnchors(org, "{\"trusted-ca\":[{\"cert\":\"bm90IGEgY2VydA==\"}]}"),
        StatusCodes.BAD_REQUEST,
        "");
    assertError(
        putTrustAnchors(
            org,
            "{\"trusted-ca\":["
                + trustedCaItem("acme-ca.pem")
                + ","
                + trustedCaItem("acme-ca-other-key.pem")
                + "]}"),
        StatusCodes.BAD_REQUEST,
        "given twice");
    assertTrue(
        cluster.organizationEvents(org).stream()
            .noneMatch(e -> e instanceof io.entwine.registry.Organization.TrustedCasSet),
        "nothing persisted");
  }

  private TestRouteResult putTrustAnchors(String org, String json) {
    return api.run(
        asOperator(withJson(HttpRequest.PUT(ORGANIZATIONS + "/" + org + "/trust-anchors"), json)));
  }

  private static String trustedCa(String resource) throws Exception {
    return "{\"trusted-ca\":[" + trustedCaItem(resource) + "]}";
  }

  /** A CA certificate as PEM in JSON, as the README's example sends it. */
  private static String trustedCaItem(String resource) throws Exception {
    try (var in = AdminRoutesTest.class.getResourceAsStream("/trust-anchors/" + resource)) {
      String pem = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      return "{\"cert\":\"" + pem.replace("\n", "\\n") + "\"}";
    }
  }
}
