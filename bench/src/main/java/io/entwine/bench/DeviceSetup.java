package io.entwine.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prepares a node for a benchmark through its public HTTP API.
 *
 * <ul>
 *   <li>{@code register --http P --operator-token T --org O --devices N}: creates the organization
 *       and an API key, registers devices {@code bench/d00000…} with the tokens {@link
 *       MqttTarget#deviceToken}, and prints {@code KEY TOKEN} of the API key ({@link #register(int,
 *       String, String, int)} for a test that loads a node with the bench's own generator);
 *   <li>{@code wake --http P --org O --api-key K --api-token T --devices N}: reads every device
 *       through the API, which wakes its twin.
 * </ul>
 *
 * <p>A node under load sheds requests with {@code 503} (or {@code 429}); every request is retried
 * then, and after a failed connection, with backoff ({@link Retry}), so one shed request does not
 * abort the set-up.
 */
public final class DeviceSetup {
  private static final Pattern FIELD = Pattern.compile("\"(key|token)\"\\s*:\\s*\"([^\"]+)\"");

  private final AtomicInteger retries = new AtomicInteger();
  private final Retry retry;
  private final String base;
  private final String org;

  DeviceSetup(int port, String org, Retry.Policy policy) {
    this.base = "http://127.0.0.1:" + port;
    this.org = org;
    this.retry = new Retry(HttpClient.newHttpClient(), policy, new Random(), this::reportRetry);
  }

  private void reportRetry(int failedAttempt, String reason, Duration wait) {
    if (retries.incrementAndGet() <= 5) {
      System.err.printf(
          Locale.ROOT,
          "bench: attempt %d answered %s; retrying in %d ms%n",
          failedAttempt,
          reason,
          wait.toMillis());
    }
  }

  public static void main(String[] argv) throws Exception {
    OrganizationHttp.allowHostHeader();
    String mode = argv[0];
    Args args = new Args(java.util.Arrays.copyOfRange(argv, 1, argv.length));
    DeviceSetup setup =
        new DeviceSetup(
            args.integer("http", 8080), args.text("org", "bench"), Retry.Policy.DEFAULT);
    int devices = args.integer("devices", 1000);
    int concurrency = args.integer("concurrency", 32);
    switch (mode) {
      case "register" -> {
        ApiKey apiKey = setup.register(args.text("operator-token"), devices, concurrency);
        System.out.println(apiKey.key() + " " + apiKey.token());
      }
      case "wake" ->
          setup.wake(basic(args.text("api-key"), args.text("api-token")), devices, concurrency);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  /** An application's API key, with which {@link MqttLoad} addresses Entwine. */
  public record ApiKey(String key, String token) {}

  /**
   * What {@code register} does: organization {@code org}, an API key and {@code devices} bench
   * devices on the node whose HTTP port is {@code httpPort}.
   */
  public static ApiKey register(int httpPort, String operatorToken, String org, int devices)
      throws Exception {
    OrganizationHttp.allowHostHeader();
    return new DeviceSetup(httpPort, org, Retry.Policy.DEFAULT)
        .register(operatorToken, devices, 32);
  }

  ApiKey register(String operatorToken, int devices, int concurrency) throws Exception {
    String bearer = "Bearer " + operatorToken;
    send(
        post("/api/v0002/admin/organizations", "{\"id\":\"" + org + "\",\"name\":\"bench\"}")
            .header("Authorization", bearer)
            .build(),
        201);
    String key =
        send(
            post("/api/v0002/admin/organizations/" + org + "/apikeys", "{}")
                .header("Authorization", bearer)
                .build(),
            201);
    Matcher fields = FIELD.matcher(key);
    String apiKey = null;
    String apiToken = null;
    while (fields.find()) {
      if (fields.group(1).equals("key")) {
        apiKey = fields.group(2);
      } else {
        apiToken = fields.group(2);
      }
    }
    String auth = basic(apiKey, apiToken);
    forEach(
        "registered",
        devices,
        concurrency,
        201,
        device ->
            post(
                    "/api/v0001/devices",
                    "{\"type\":\""
                        + MqttTarget.DEVICE_TYPE
                        + "\",\"id\":\""
                        + MqttTarget.deviceId(device)
                        + "\",\"password\":\""
                        + MqttTarget.deviceToken(device)
                        + "\"}")
                .header("Host", org + ".localhost")
                .header("Authorization", auth)
                .build());
    return new ApiKey(apiKey, apiToken);
  }

  private void wake(String auth, int devices, int concurrency) throws Exception {
    forEach(
        "woken",
        devices,
        concurrency,
        200,
        device ->
            HttpRequest.newBuilder(
                    URI.create(
                        base
                            + "/api/v0001/devices/"
                            + MqttTarget.DEVICE_TYPE
                            + "/"
                            + MqttTarget.deviceId(device)))
                .header("Host", org + ".localhost")
                .header("Authorization", auth)
                .build());
  }

  /** Sends one request per device, {@code concurrency} at a time; fails on any other status. */
  private void forEach(
      String what,
      int devices,
      int concurrency,
      int expectedStatus,
      IntFunction<HttpRequest> request)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(concurrency);
    AtomicInteger failures = new AtomicInteger();
    long started = System.nanoTime();
    for (int device = 0; device < devices; device++) {
      inFlight.acquire();
      retry
          .send(request.apply(device))
          .whenComplete(
              (outcome, failure) -> {
                if (failure != null || !accepted(outcome, expectedStatus)) {
                  if (failures.incrementAndGet() <= 5) {
                    System.err.println(
                        "bench: "
                            + (failure != null
                                ? failure
                                : outcome.response().statusCode()
                                    + " "
                                    + outcome.response().body()));
                  }
                }
                inFlight.release();
              });
    }
    inFlight.acquire(concurrency);
    System.err.printf(
        Locale.ROOT,
        "bench: %d devices %s in %.1f s (%d retries)%n",
        devices,
        what,
        (System.nanoTime() - started) / 1e9,
        retries.get());
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " requests failed");
    }
  }

  private HttpRequest.Builder post(String path, String json) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  private String send(HttpRequest request, int expectedStatus) throws Exception {
    Retry.Outcome outcome = retry.send(request).get();
    HttpResponse<String> response = outcome.response();
    if (!accepted(outcome, expectedStatus)) {
      throw new IllegalStateException(
          request.uri() + " answered " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  /**
   * The expected status, or a 409 for a creation that was retried: an earlier attempt created it
   * and its answer was lost (a timeout or a reset connection).
   */
  private static boolean accepted(Retry.Outcome outcome, int expectedStatus) {
    int status = outcome.response().statusCode();
    return status == expectedStatus
        || (expectedStatus == 201 && status == 409 && outcome.retried());
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
