package io.entwine.deploy.hardening;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seeded generator of malformed HTTP requests against the node's real endpoints. Each input starts
 * as a well-formed request of one endpoint (with the fixture's valid credentials or none) and gets
 * one to three mutations; its category ({@code endpoint/mutation+mutation}) says what was done, so
 * a failure names its cause and can be replayed from the seed.
 *
 * <p>Requests that keep HTTP/1.1 framing intact travel pipelined on keep-alive connections;
 * requests that break framing travel alone on their own connection ({@link Lane}).
 */
final class HttpFuzz {
  enum Lane {
    /** Framing intact: pipelined with others on a keep-alive connection. */
    PIPELINED,
    /** Framing broken: alone on a connection, which is closed after the answer. */
    ALONE,
    /** Alone, and the client ends its output after it (a request cut short by the peer). */
    TRUNCATED
  }

  record Input(String category, byte[] bytes, Lane lane, boolean head) {}

  record Fixture(
      String org,
      String apiKey,
      String apiToken,
      String type,
      String device,
      String deviceToken,
      String honoAuthId,
      String honoSecret,
      String psk,
      String routingKey,
      String adminToken) {}

  private final Fixture f;
  private final Random random;
  private final Set<String> skipped;
  private final List<Supplier<Request>> endpoints;

  HttpFuzz(Fixture fixture, Random random, Set<String> skipped) {
    this.f = fixture;
    this.random = random;
    this.skipped = skipped;
    this.endpoints =
        List.of(
            this::ibmEvent,
            this::ibmEvent,
            this::ibmEvent,
            this::lastEvents,
            this::hono,
            this::hono,
            this::tencent,
            this::tencent,
            this::integration,
            this::integrationsApi,
            this::admin,
            this::historian,
            this::historian,
            this::registry,
            this::registry,
            this::commands,
            this::credentials,
            this::health,
            this::garbagePath);
  }

  /** The next input; categories named in {@code skipped} (by prefix) are not generated. */
  Input next() {
    while (true) {
      Request request = endpoints.get(random.nextInt(endpoints.size())).get();
      List<String> applied = HttpMutations.apply(request, random, 1 + random.nextInt(3));
      String category = request.endpoint + "/" + String.join("+", applied);
      if (skipped.stream().noneMatch(prefix -> isSkipped(category, prefix))) {
        return new Input(category, request.bytes(), request.lane, request.method.equals("HEAD"));
      }
    }
  }

  private static boolean isSkipped(String category, String name) {
    return category.contains(name);
  }

  // ---- endpoints: one well-formed request each ----

  private Request ibmEvent() {
    Request r = new Request("ibm-event", "POST", devicePath() + "/events/" + pick("status", "e1"));
    r.host(f.org + ".localhost").basic("use-token-auth", f.deviceToken).json(eventJson());
    return r;
  }

  private Request lastEvents() {
    Request r = new Request("last-events", "GET", devicePath() + "/events");
    return r.host(f.org + ".localhost").basic(f.apiKey, f.apiToken);
  }

  private String devicePath() {
    return "/api/v0002/device/types/"
        + pick(f.type, f.type, "fz2")
        + "/devices/"
        + pick(f.device, f.device, "dev1", "nobody");
  }

  private Request hono() {
    Request r =
        switch (random.nextInt(4)) {
          case 0 -> new Request("hono", "POST", pick("/telemetry", "/event"));
          case 1 ->
              new Request("hono", "PUT", pick("/telemetry/", "/event/") + f.org + "/" + f.device);
          case 2 ->
              new Request("hono", "POST", "/command/res/" + token(8) + "?hono-cmd-status=200");
          default ->
              new Request(
                  "hono",
                  "PUT",
                  "/command/res/"
                      + f.org
                      + "/"
                      + f.device
                      + "/"
                      + token(8)
                      + "?hono-cmd-status="
                      + pick("200", "0", "-5", "x"));
        };
    r.header("Host", "127.0.0.1").json(eventJson());
    if (random.nextBoolean()) {
      r.basic(f.honoAuthId + "@" + f.org, f.honoSecret);
    }
    if (random.nextInt(3) == 0) {
      r.header("qos-level", pick("0", "1", "2", "-1", "x", ""));
    }
    return r;
  }

  private Request tencent() {
    Request r = new Request("tencent", "POST", "/device/publish");
    String body =
        "{\"ProductId\":\""
            + f.type
            + "\",\"DeviceName\":\""
            + f.device
            + "\",\"TopicName\":\""
            + f.type
            + "/"
            + f.device
            + "/"
            + pick("status", "up")
            + "\",\"Payload\":\""
            + pick("{\\\"t\\\":1}", "aGVsbG8=", "plain")
            + "\",\"Qos\":"
            + pick("0", "1")
            + "}";
    r.host(f.org + ".localhost").json(body);
    long now = System.currentTimeMillis() / 1000;
    String algorithm = pick("HmacSha256", "HmacSha1");
    String nonce = token(10);
    r.header("X-TC-Algorithm", algorithm).header("X-TC-Timestamp", Long.toString(now));
    r.header("X-TC-Nonce", nonce);
    r.header("X-TC-Signature", sign(algorithm, r.hostHeader(), now, nonce, r.body));
    return r;
  }

  private String sign(String algorithm, String host, long time, String nonce, byte[] body) {
    try {
      String toSign =
          "POST\n"
              + host
              + "\n/device/publish\n\n"
              + algorithm
              + "\n"
              + time
              + "\n"
              + nonce
              + "\n"
              + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
      String jca = algorithm.equals("HmacSha1") ? "HmacSHA1" : "HmacSHA256";
      Mac mac = Mac.getInstance(jca);
      mac.init(new SecretKeySpec(f.psk.getBytes(StandardCharsets.UTF_8), jca));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private Request integration() {
    Request r =
        new Request(
            "integration",
            "POST",
            "/api/v1/integrations/http/" + pick(f.routingKey, f.routingKey, token(12)));
    return r.header("Host", "127.0.0.1")
        .json(
            "{\"deviceName\":\""
                + pick(f.device, "i1")
                + "\",\"temperature\":"
                + random.nextInt(50)
                + "}");
  }

  private Request integrationsApi() {
    Request r =
        random.nextBoolean()
            ? new Request(
                "integrations-api", "GET", "/api/v0002/integrations/" + pick("", token(8)))
            : new Request("integrations-api", "POST", "/api/v0002/integrations")
                .json(
                    "{\"name\":\"n\",\"uplinkConverter\":{\"script\":\""
                        + pick("return {};", "return {deviceName: 'x'", "while(", "")
                        + "\"}}");
    return r.host(f.org + ".localhost").basic(f.apiKey, f.apiToken);
  }

  private Request admin() {
    String org = pick("fzadm", "FZADM", "x", "");
    Request r =
        switch (random.nextInt(6)) {
          case 0 ->
              new Request("admin", "POST", "/api/v0002/admin/organizations")
                  .json("{\"id\":\"" + pick("fzadm", "bad id", "") + "\",\"name\":\"n\"}");
          case 1 -> new Request("admin", "GET", "/api/v0002/admin/organizations/" + org);
          case 2 ->
              new Request("admin", "PUT", "/api/v0002/admin/organizations/" + org + "/limits")
                  .json(
                      "{\"messages-per-period\":"
                          + pick("0", "-1", "1e3", "\"x\"")
                          + ",\"period-seconds\":"
                          + pick("60", "0", "9999999999999")
                          + "}");
          case 3 ->
              new Request(
                      "admin",
                      "PUT",
                      "/api/v0002/admin/organizations/" + org + "/adapters/hono-http")
                  .json(
                      "{\"enabled\":"
                          + pick("true", "1", "null")
                          + ",\"max-ttd\":"
                          + pick("1", "-1", "99999999999")
                          + "}");
          case 4 ->
              new Request(
                      "admin", "PUT", "/api/v0002/admin/organizations/" + org + "/trust-anchors")
                  .json(
                      "{\"trusted-ca\":[{\"cert\":\""
                          + pick("", "AAAA", "-----BEGIN CERT")
                          + "\"}]}");
          default -> new Request("admin", "GET", "/api/v0002/admin/projections");
        };
    if (random.nextBoolean()) {
      r.header("Authorization", "Bearer " + f.adminToken);
    }
    return r.header("Host", "127.0.0.1");
  }

  private Request historian() {
    String path =
        "/api/v0001/historian" + pick("", "/", "/" + f.type, "/" + f.type + "/" + f.device);
    String query =
        pick(
            "",
            "?top=" + pick("1", "0", "-1", "x", "100000"),
            "?evt_type=status&start=" + pick("0", "-1", "x", "1795428000000") + "&end=1",
            "?summarize="
                + pick("%7Bt%7D", "%7B", "{}", "%7Ba,b,%7D")
                + "&summarize_type="
                + pick("avg", "stdev", "x", ""),
            "?cursorId=" + pick("eyJv", "%%", token(40)));
    Request r = new Request("historian", "GET", path + query);
    r.host(f.org + ".localhost").basic(f.apiKey, f.apiToken);
    if (random.nextInt(4) == 0) {
      r.header("Cookie", "iotHistorianSessionId=" + pick("eyJv", token(30), "\"", ";;"));
    }
    return r;
  }

  private Request registry() {
    Request r =
        switch (random.nextInt(5)) {
          case 0 ->
              new Request(
                  "registry",
                  "GET",
                  "/api/v0001/devices"
                      + pick("", "/" + f.type)
                      + pick(
                          "", "?_limit=" + pick("1", "0", "-3", "x"), "?_bookmark=" + token(20)));
          case 1 -> new Request("registry", "GET", "/api/v0001/" + pick("", "device-types"));
          // a valid password costs a slow hash (PBKDF2) per request: only refused ones here
          case 2 ->
              new Request("registry", "POST", "/api/v0001/devices")
                  .json(
                      "{\"type\":\""
                          + pick("fz3", "")
                          + "\",\"id\":\""
                          + pick("n1", "bad id")
                          + "\",\"password\":\""
                          + pick("short", "")
                          + "\"}");
          case 3 ->
              new Request("registry", "PUT", "/api/v0001/devices/fz3/n1")
                  .json("{\"metadata\":" + pick("{}", "[]", "1", "null") + "}");
          default ->
              new Request("registry", "GET", "/api/v0001/devices/" + f.type + "/" + f.device);
        };
    return r.host(f.org + ".localhost").basic(f.apiKey, f.apiToken);
  }

  private Request commands() {
    Request r =
        random.nextBoolean()
            ? new Request(
                    "commands",
                    "POST",
                    "/api/v0002/application/types/"
                        + f.type
                        + "/devices/"
                        + f.device
                        + "/commands/"
                        + pick("reboot", "x"))
                .json("{\"d\":{}}")
            : new Request(
                "commands",
                "GET",
                "/api/v0002/application/types/" + f.type + "/devices/" + f.device + "/commands");
    return r.host(f.org + ".localhost").basic(f.apiKey, f.apiToken);
  }

  private Request credentials() {
    // never the fixture's device: a new PSK there would break the signed Tencent requests
    Request r =
        new Request(
            "credentials",
            "POST",
            "/api/v0002/device/types/"
                + f.type
                + "/devices/"
                + pick("dev1", "nobody")
                + "/credentials");
    // a hashed-password with a secret costs a slow hash: that type always lacks its auth-id
    String type = pick("hashed-password", "psk", "x509-cert", "x");
    r.json(
        "{\"type\":\""
            + type
            + "\",\"auth-id\":\""
            + (type.equals("hashed-password") ? "" : "a1")
            + "\",\"secret\":\""
            + pick("s", "")
            + "\"}");
    return r.host(f.org + ".localhost").basic(f.apiKey, f.apiToken);
  }

  private Request health() {
    return new Request("health", "GET", pick("/health/ready", "/health/alive", "/health/"))
        .header("Host", "127.0.0.1");
  }

  private Request garbagePath() {
    return new Request("garbage-path", pick("GET", "POST"), "/" + token(1 + random.nextInt(30)))
        .header("Host", pick("127.0.0.1", f.org + ".localhost"));
  }

  private String eventJson() {
    return "{\"d\":{\"t\":"
        + random.nextInt(100)
        + "},\"ts\":\""
        + pick("2026-11-23T10:00:00Z", "x", "2026-13-45T99:00:00Z")
        + "\"}";
  }

  private String pick(String... options) {
    return options[random.nextInt(options.length)];
  }

  private String token(int length) {
    return HttpMutations.token(random, length);
  }
}
